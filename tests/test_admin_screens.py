"""The editors' screens of /facts_admin, /questions and /stats (issue 11): each is read in one
query however many rows there are, drawn by a pure function of what was read, and building
it changes nothing in the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot import phrasing
from bot.admin import facts, questions
from bot.admin.screens import Screen
from bot.i18n import Html, texts_for
from storage import Store, open_store
from storage.models import FactRecord, FactsPage, Source
from storage.questions import Feedback, PeriodRates, Question, Rate

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
# Questions that are clearly not one another (bot.phrasing keeps each in a group of its own).
SUBJECTS = [
    "биометрия", "страховка", "паспорт", "консульство", "реадмиссия", "аэропорт", "фотография",
    "пошлина", "студенты", "журналисты", "водители", "пенсионеры", "спортсмены", "анкета",
]  # fmt: skip
SOURCE = Source("Kazinform", "https://kazinform.kz/a", dt.date(2025, 12, 2))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "screens.sqlite3")
    yield opened
    await opened.close()


async def _fill(store: Store, rows: int) -> None:
    """`rows` facts (every third retired), `rows` open question groups of three phrasings
    with a waiting chat each, and answered questions over the last 30 days."""
    article = await store.articles.save_admin(
        key="a", source="Kazinform", url=None, language="ru", title="T", body="B",
        published_at="2025-12-02",
    )  # fmt: skip
    assert article is not None
    for n in range(rows):
        texts = {"ru": f"Факт {n}", "en": f"Fact {n}"}
        fact = await store.facts.add(
            key=f"f{n}", topic="talks", article_id=article, texts=texts, by=1
        )
        if n % 3 == 2:
            await store.facts.retire(fact, by=1)
    for n, subject in enumerate(SUBJECTS[:rows]):
        for asker in range(3):
            text = f"Нужна ли {subject}?"
            question = await store.questions.record(
                text=text, language="ru", signature=phrasing.signature(text), answer="nothing",
                top=None, listed=True, at=(NOW - dt.timedelta(days=n)).isoformat(),
            )  # fmt: skip
            assert await store.questions.wait(question, 1000 * n + asker)
        answered = await store.questions.record(
            text=f"Когда {subject}?", language="kk" if n % 2 else "en", signature=f"s{n}",
            answer="facts", top=None, listed=False, at=(NOW - dt.timedelta(days=2 * n)).isoformat(),
        )  # fmt: skip
        assert await store.questions.rate(answered, 1 if n % 2 else -1)


def _count_statements(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    for name in ("fetchone", "fetchall", "fetchval", "execute", "executemany"):
        original = getattr(store.db, name)

        async def counted(sql: str, *args: Any, _original: Any = original) -> Any:
            seen.append(sql)
            return await _original(sql, *args)

        monkeypatch.setattr(store.db, name, counted)
    return seen


async def _dump(store: Store) -> list[str]:
    return [line async for line in store.db.conn.iterdump()]


async def _first_group(store: Store) -> int:
    return (await questions.groups(store))[0].key


SCREENS: dict[str, Callable[[Store], Awaitable[object]]] = {
    "facts listing": lambda s: facts.listing(s, texts_for("en"), 2),
    "facts listing, past the last page": lambda s: facts.listing(s, texts_for("en"), 99),
    "fact card": lambda s: facts.card(s, texts_for("en"), 1),
    "questions listing": lambda s: questions.listing(s, texts_for("en")),
    "link choices": lambda s: questions.link_choices(s, texts_for("en"), 1, 2),
    "question stats": lambda s: questions.stats(s, texts_for("en"), now=NOW),
}


@pytest.mark.parametrize("rows", [2, len(SUBJECTS)])
@pytest.mark.parametrize("screen", SCREENS)
async def test_each_screen_is_one_read_whatever_the_rows_and_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch, screen: str, rows: int
) -> None:
    await _fill(store, rows)
    before = await _dump(store)
    statements = _count_statements(store, monkeypatch)
    built = await SCREENS[screen](store)
    assert built is not None
    assert len(statements) == 1, statements  # never one per row, nor one per part
    assert statements[0].lstrip().upper().startswith(("SELECT", "WITH")), statements
    assert await _dump(store) == before


async def test_the_facts_page_holds_the_lists_counts_and_stays_within_its_pages(
    store: Store,
) -> None:
    assert await store.facts.page(3, 8) == FactsPage((), 1, 1, 0, 0)
    await _fill(store, 14)  # facts 3, 6, 9, 12 retired
    every = await store.facts.records()
    first = await store.facts.page(1, 8)
    assert (first.page, first.pages, first.active, first.retired) == (1, 2, 10, 4)
    assert list(first.facts) == every[:8]
    last = await store.facts.page(99, 8)
    assert (last.page, list(last.facts)) == (2, every[8:])
    assert (await store.facts.page(-5, 8)).page == 1
    on_facts = await store.facts.page(2, 8, retired=False)
    assert (on_facts.page, on_facts.pages, on_facts.active, on_facts.retired) == (2, 2, 10, 0)
    assert list(on_facts.facts) == [f for f in every if not f.retired][8:]
    assert every[0].texts == {"ru": "Факт 0", "en": "Fact 0"}
    assert await store.facts.record(every[0].id) == every[0]


async def test_the_screens_are_what_their_render_draws_from_the_data_read(store: Store) -> None:
    await _fill(store, len(SUBJECTS))
    texts = texts_for("ru")
    page = await store.facts.page(2, facts.FACTS_PER_PAGE)
    assert await facts.listing(store, texts, 2) == facts.render_listing(texts, page)
    on_facts = await store.facts.page(1, questions.FACTS_PER_PAGE, retired=False)
    assert await questions.link_choices(store, texts, 7) == questions.render_link_choices(
        texts, 7, on_facts
    )
    found = await questions.groups(store)
    # a group of three per subject, and each answered question 👎 put on the list
    assert sorted(len(g.questions) for g in found) == [1] * 7 + [3] * len(SUBJECTS)
    assert await questions.listing(store, texts) == questions.render_listing(texts, found)
    periods = await store.questions.periods(NOW, (7, 30))
    assert await questions.stats(store, texts, now=NOW) == questions.render_stats(texts, periods)


def _fact(fact_id: int, retired: bool = False, **texts: str) -> FactRecord:
    return FactRecord(fact_id, f"k{fact_id}", "talks", 1, texts, retired, SOURCE, None)


def _buttons(screen: Screen) -> list[str]:
    keyboard = screen[1]
    assert keyboard is not None
    return [str(b.callback_data) for row in keyboard.inline_keyboard for b in row]


def test_the_facts_list_is_drawn_from_a_page_alone() -> None:
    texts = texts_for("en")
    page = FactsPage((_fact(9, ru="Девять"), _fact(10, True, en="Ten")), 2, 2, 9, 1)
    text, _ = screen = facts.render_listing(texts, page)
    assert "on /facts 9, taken off 1 (page 2/2)" in text
    assert "9. <i>" in text and "· Девять · ru" in text  # numbered on from page 1's eight
    assert "10. 🗄 <i>" in text and "· Ten · en" in text
    buttons = _buttons(screen)
    assert buttons[:2] == [facts.FACTS.data("open", 9), facts.FACTS.data("open", 10)]
    assert facts.FACTS.data("page", 1) in buttons and facts.FACTS.data("new") == buttons[-1]
    assert facts.render_listing(texts, page) == screen
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.page = 1  # type: ignore[misc]


def test_the_link_choices_are_drawn_from_a_page_alone() -> None:
    texts = texts_for("en")
    page = FactsPage((_fact(4, ru="Четыре", en="Four"),), 2, 3, 17, 0)
    text, _ = screen = questions.render_link_choices(texts, 55, page)
    assert text == texts("questions.ask_link", page=2, pages=3)
    assert _buttons(screen) == [
        questions.QUESTIONS.data("linkto", 55, 4),
        questions.QUESTIONS.data("link", 55, 1),
        questions.QUESTIONS.data("link", 55, 3),
        questions.QUESTIONS.data("list"),
    ]
    keyboard = screen[1]
    assert keyboard is not None and keyboard.inline_keyboard[0][0].text.endswith("Four")


def test_the_questions_list_is_drawn_from_the_groups_alone() -> None:
    texts = texts_for("en")
    assert questions.render_listing(texts, []) == (texts("questions.empty"), None)
    asked = [
        Question(n, "2026-06-01T12:00:00", "ru", f"Вопрос {n}", f"s{n}", "nothing", n % 2)
        for n in range(questions.GROUPS_SHOWN + 2, 0, -1)
    ]
    found = [questions.Group((q,)) for q in asked]
    text, _ = screen = questions.render_listing(texts, found)
    assert text.startswith(texts("questions.title.html", groups=len(found)))
    assert text.endswith(texts("questions.more", count=2))
    buttons = _buttons(screen)
    assert len(buttons) == 3 * questions.GROUPS_SHOWN
    assert buttons[:3] == [
        questions.QUESTIONS.data(verb, found[0].key) for verb in ("answer", "link", "dismiss")
    ]


def test_the_stats_are_drawn_from_the_periods_alone() -> None:
    periods = [
        PeriodRates(7, (Rate("kk", 1, 1), Rate("ru", 2, 1)), Feedback(1, 1)),
        PeriodRates(30, (), Feedback(0, 0)),
    ]
    text = questions.render_stats(texts_for("en"), periods)
    assert "7 days: answered 2 of 3 (67%) · kk 1/1 · ru 1/2 · 👍 1 👎 1" in text
    assert "30 days: answered 0 of 0 (0%) · — · 👍 0 👎 0" in text
    assert isinstance(text, str) and text == Html(text)
