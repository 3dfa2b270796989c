"""Feed reading without the network: formats, charsets, cleaning, keys, language, relevance."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.feeds.errors import FeedError, Problem
from bot.feeds.links import normalise_link, web_link
from bot.feeds.parse import (
    ParsedFeed,
    detect_language,
    parse,
    plain_text,
    read_feed,
    stop_workers,
)
from bot.feeds.relevance import Decision, default, load
from tests.delivery_helpers import wait_until

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def read(name: str, content_type: str = "application/rss+xml") -> ParsedFeed:
    headers = {"content-type": content_type, "content-location": "https://feeds.example.kz/x"}
    return read_feed((FIXTURES / name).read_bytes(), headers, NOW, default())


@pytest.mark.parametrize(
    ("name", "content_type", "language", "titles"),
    [
        ("rss2_ru.xml", "application/rss+xml; charset=utf-8", "ru", 4),
        ("rss1_kk.rdf", "application/rdf+xml", "kk", 2),
        ("atom_kk.xml", "application/atom+xml", "kk", 2),
        ("atom_ru.xml", "application/atom+xml", "ru", 1),
    ],
)
def test_rss2_rss1_and_atom_in_kazakh_and_russian(
    name: str, content_type: str, language: str, titles: int
) -> None:
    feed = read(name, content_type)
    assert feed.warning is None and feed.title
    assert len(feed.entries) == titles
    assert {e.language for e in feed.entries} == {language}
    assert all(e.dated and e.published.tzinfo is dt.UTC for e in feed.entries)
    assert sum(e.relevant for e in feed.entries) >= 1


def test_the_charset_of_the_content_type_header_is_honoured() -> None:
    # The document has no encoding declaration: only the header says windows-1251.
    feed = read("rss2_ru_cp1251.xml", "application/rss+xml; charset=windows-1251")
    assert feed.title == "Лента в кодировке windows-1251"
    (entry,) = feed.entries
    assert entry.title.startswith("Еврокомиссия: переговоры с Казахстаном")
    assert entry.relevant and entry.language == "ru"


def test_scripts_markup_and_unsafe_links_never_come_through() -> None:
    first = read("rss2_ru.xml").entries[0]
    assert "<" not in first.summary and "alert" not in first.summary
    assert "Казахстаном" in first.summary and "Подробнее" in first.summary
    atom = read("atom_kk.xml", "application/atom+xml").entries[0]
    assert atom.title == "ЕО-мен реадмиссия туралы келісім: Қазақстанның ұстанымы"
    assert "evil" not in atom.summary and "color" not in atom.summary
    assert web_link("javascript:alert(1)") is None and web_link("data:text/html,x") is None
    assert plain_text("<p>a</p><p>b<br>c</p>") == "a\n\nb\nc"
    assert plain_text("x <style>p{}</style><script>y()</script>z &amp; w") == "x z & w"


def test_entries_without_guid_link_or_date_get_stable_keys() -> None:
    feed = read("missing_fields.xml")
    by_title = {e.title: e for e in feed.entries}
    undated = next(e for t, e in by_title.items() if t.startswith("Без guid"))
    assert undated.key.startswith("h:") and not undated.dated and undated.published == NOW
    assert undated.link is None
    untitled = next(e for t, e in by_title.items() if t.startswith("Без заголовка"))
    assert untitled.key.startswith("h:")
    future = next(e for t, e in by_title.items() if t.startswith("Дата из будущего"))
    assert future.published == NOW and future.dated  # clamped to the fetch time
    bad_date = next(e for t, e in by_title.items() if t.startswith("Неправильная дата"))
    assert bad_date.key == "g:partial-bad-date" and not bad_date.dated
    # The same link twice (host case, trailing slash, utm_ parameter) is one entry.
    assert sum(t.startswith("Ссылка без guid") for t in by_title) == 1
    assert feed.unusable == 1  # the empty <item/>
    assert read("missing_fields.xml").entries == feed.entries  # same keys every time


def test_link_normalisation() -> None:
    same = {
        normalise_link("https://News.Example.kz/ru/visa-talks/?utm_source=rss&utm_medium=feed"),
        normalise_link("https://news.example.kz:443/ru/visa-talks#top"),
        normalise_link("HTTPS://news.example.kz/ru/visa-talks"),
    }
    assert same == {"https://news.example.kz/ru/visa-talks"}
    assert normalise_link("https://a.kz/x?id=1&utm_campaign=z") == "https://a.kz/x?id=1"
    assert normalise_link("https://a.kz/X") != normalise_link("https://a.kz/x")
    assert normalise_link("ftp://a.kz/x") is None


@pytest.mark.parametrize(
    ("name", "content_type", "problem"),
    [
        ("malformed.xml", "application/xml", Problem.MALFORMED),
        ("page.html", "text/html; charset=utf-8", Problem.NOT_A_FEED),
        ("page.html", "application/xml", Problem.NOT_A_FEED),
    ],
)
def test_bad_documents_are_classified(name: str, content_type: str, problem: Problem) -> None:
    with pytest.raises(FeedError) as caught:
        read(name, content_type)
    assert caught.value.problem is problem


def test_broken_xml_that_still_reads_is_a_warning_not_a_failure() -> None:
    feed = read("lenient.xml")
    assert feed.warning is not None and feed.warning.problem is Problem.MALFORMED_RECOVERED
    assert len(feed.entries) == 1 and feed.entries[0].relevant


async def test_parsing_in_a_worker_process_returns_entries_and_errors_intact() -> None:
    headers = {"content-type": "application/rss+xml; charset=utf-8"}
    body = (FIXTURES / "rss2_ru.xml").read_bytes()
    assert await parse(body, headers, NOW, default()) == read(
        "rss2_ru.xml", headers["content-type"]
    )
    page = (FIXTURES / "page.html").read_bytes(), {"content-type": "text/html"}, NOW, default()
    with pytest.raises(FeedError) as here:
        read_feed(*page)
    with pytest.raises(FeedError) as there:
        await parse(*page)
    assert there.value.problem is Problem.NOT_A_FEED
    assert (there.value.detail, str(there.value)) == (here.value.detail, str(here.value))


async def test_a_parsing_process_that_dies_fails_the_parse_under_way_not_the_next() -> None:
    headers = {"content-type": "application/rss+xml"}
    body = (FIXTURES / "rss2_ru.xml").read_bytes()
    assert (await parse(body, headers, NOW, default())).entries  # the workers are up
    # A worker killed in the middle (as by the OOM killer): what it was parsing fails ...
    with pytest.raises(FeedError) as caught:
        await parse(body, headers, NOW, _DyingRelevance())
    assert caught.value.problem is Problem.INTERNAL
    # ... and the next feed is parsed by new workers.
    assert len((await parse(body, headers, NOW, default())).entries) == 4


KILLED_PARENT = """
import asyncio, datetime as dt, multiprocessing, os, signal, sys
from bot.feeds.parse import parse
from bot.feeds.relevance import default

async def main() -> None:
    body = open(sys.argv[1], "rb").read()
    await parse(body, {"content-type": "application/rss+xml"}, dt.datetime.now(dt.UTC), default())
    print(*[child.pid for child in multiprocessing.active_children()], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_parsing_processes_end_when_the_bot_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "killed.py"
    script.write_text(KILLED_PARENT)
    run = subprocess.run(
        [sys.executable, str(script), str(FIXTURES / "rss2_ru.xml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    workers = [int(pid) for pid in run.stdout.split()]
    assert workers
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


async def test_parsing_processes_leave_sigterm_and_ctrl_c_to_the_bot() -> None:
    """systemd's SIGTERM and Ctrl-C reach every process of the bot: a parse under way must
    not fail for it (the bot stops its workers itself)."""
    stop_workers()  # workers of earlier tests gone: only this pool's are looked at
    await wait_until(lambda: not _workers_alive(), what="earlier workers to exit")
    headers = {"content-type": "application/rss+xml"}
    body = (FIXTURES / "rss2_ru.xml").read_bytes()
    assert (await parse(body, headers, NOW, default())).entries
    workers = _workers_alive()
    assert workers
    for worker in workers:
        os.kill(worker.pid or 0, signal.SIGTERM)
        os.kill(worker.pid or 0, signal.SIGINT)
    await asyncio.sleep(0.5)
    assert all(worker.is_alive() for worker in workers)
    assert len((await parse(body, headers, NOW, default())).entries) == 4


def _workers_alive() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name.startswith("SpawnProcess")]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class _DyingRelevance:
    """A relevance check that kills the process it runs in."""

    def __call__(self, title: str, summary: str) -> Decision:
        os._exit(1)


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        ("Қазақстан мен Еуропалық одақ келіссөздер бастады", "ru", "kk"),
        ("Казахстан и Евросоюз начали переговоры", "kk", "ru"),
        ("Kazakhstan and the EU launched talks", None, "en"),
        ("Qazaqstan men Europa odagy", "kk", "kk"),
        ("", None, "ru"),
    ],
)
def test_language_from_script_then_declaration(
    text: str, declared: str | None, expected: str
) -> None:
    assert detect_language(text, declared) == expected


RELEVANT = [
    "Казахстан и Евросоюз начали переговоры об упрощении визового режима",
    "Переговоры Казахстана с ЕС о визах: второй раунд пройдёт в Астане",
    "Соглашение о реадмиссии с Казахстаном обсудят в Брюсселе",
    "Қазақстан мен Еуропалық одақ визалық режимді жеңілдету туралы келіссөздерді бастады",
    "ЕО-мен реадмиссия туралы келісім: Қазақстанның ұстанымы",
    "Kazakhstan and the EU launch talks on visa facilitation",
    "EU-Kazakhstan readmission agreement: what changes",
    "Еуропа Одағы Қазақстанмен визалық режимді жеңілдету туралы келісімге қол қойды",
]
IRRELEVANT = [
    # General EU–Kazakhstan relations without visa content (issue 16: the old "context" rule).
    "Еуропалық одағымен ынтымақтастық кеңесінің отырысы Астанада өтті",
    "Совет сотрудничества «Казахстан – Европейский союз» обсудил Средний коридор",
    "В Астане ожидается снег и гололёд",
    "Визит президента Казахстана в Китай",  # визит is not виза
    "Переговоры ЕС и Китая о пошлинах",
    "US visa rules for Kazakh students",
    "Астанада қар жауады",
    "Қазақстан құрамасы Еуропа чемпионатында",
]


@pytest.mark.parametrize("text", RELEVANT)
def test_relevant_items_in_kk_ru_en_with_their_endings(text: str) -> None:
    assert default()(text).relevant, sorted(default().groups_in(text))


@pytest.mark.parametrize("text", IRRELEVANT)
def test_irrelevant_items_stay_out(text: str) -> None:
    assert not default()(text).relevant, sorted(default().groups_in(text))


def test_keyword_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    rule = '[[rules]]\nname = "r"\nverdict = "in"\nall = ["a", "b"]\n'
    path.write_text(rule + '[groups.a]\nen = ["x"]\nru = ["y"]\nkk = ["z"]\n')
    with pytest.raises(ValueError, match="unknown groups"):
        load(path)
    path.write_text(rule + '[groups.a]\nen = ["x"]\nru = ["y"]\n')
    with pytest.raises(ValueError, match="kk"):
        load(path)
    path.write_text(rule.replace('"a", "b"', '"a"') + 'scope = "text"\n'
                    '[groups.a]\nen = ["x"]\nru = ["y"]\nkk = ["z"]\n')  # fmt: skip
    with pytest.raises(ValueError, match="never let an item in"):
        load(path)
