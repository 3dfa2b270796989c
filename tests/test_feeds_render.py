"""One poll's items as announcement texts: every language, escaped, dated by Babel, bounded."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from bot.feeds.admin import health
from bot.feeds.announce import NewItem, render_announcement, shorten
from bot.feeds.errors import Problem
from bot.i18n import Texts
from storage.models import Feed
from tests.fakebotapi import parse_html

WHEN = dt.datetime(2025, 12, 2, 7, 0, tzinfo=dt.UTC)


def item(number: int, **changes: object) -> NewItem:
    values: dict[str, object] = {
        "article_id": number,
        "feed_id": 1,
        "source": "Kazinform",
        "title": f"Казахстан и ЕС: переговоры о визах, часть {number}",
        "summary": "В Брюсселе начались переговоры. " * 3,
        "url": f"https://kazinform.example.kz/ru/{number}",
        "published": WHEN + dt.timedelta(minutes=number),
        "language": "ru",
    }
    values.update(changes)
    return NewItem(**values)  # type: ignore[arg-type]


def test_every_language_gets_its_header_and_babel_dates() -> None:
    texts = render_announcement([item(1), item(2, language="kk", title="Қазақстан мен ЕО")])
    assert set(texts) == {"kk", "ru", "en"}
    assert "Новости переговоров Казахстана и ЕС</b>: 2 новые публикации" in texts["ru"]
    assert "2 декабря 2025 г." in texts["ru"] and "2025 жылғы 2 желтоқсан" in texts["kk"]
    assert "2 December 2025" in texts["en"]
    assert "Қазақстан мен ЕО келіссөздері" in texts["kk"]
    assert "(KK)" in texts["ru"] and "(RU)" in texts["kk"]  # items in another language
    assert texts["en"].index("Қазақстан мен ЕО") < texts["en"].index("часть 1")  # newest first
    for text in texts.values():
        parse_html(text)  # valid Telegram HTML


def test_feed_text_is_escaped_and_links_are_quoted() -> None:
    nasty = item(
        1,
        title='<script>alert(1)</script> & "quotes"',
        summary="a <b>bold</b> claim",
        url='https://x.example.kz/a?b=1&c="2"',
        source="<i>Source</i>",
    )
    text = render_announcement([nasty])["en"]
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "a &lt;b&gt;bold&lt;/b&gt; claim" in text
    assert 'href="https://x.example.kz/a?b=1&amp;c=&quot;2&quot;"' in text
    assert "&lt;i&gt;Source&lt;/i&gt;" in text
    plain, _ = parse_html(text)
    assert '<script>alert(1)</script> & "quotes"' in plain


def test_many_items_fit_one_message_and_the_rest_are_counted() -> None:
    texts = render_announcement([item(n, summary="слово " * 100) for n in range(40)])
    for language, text in texts.items():
        assert len(text) < 4096, language
    shown = texts["ru"].count("Kazinform, ")
    assert 1 < shown < 40
    assert f"…и ещё {40 - shown} публикац" in texts["ru"] and "в /news" in texts["ru"]
    assert "more items in /news" in texts["en"]
    assert "часть 39" in texts["ru"]  # the newest is shown


def test_an_item_without_link_or_summary() -> None:
    text = render_announcement([item(1, url=None, summary="")])["ru"]
    assert "<a " not in text and "<b>Казахстан и ЕС: переговоры о визах, часть 1</b>\n<i>" in text


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("short") == "short"
    cut = shorten("слово " * 100, 50)
    assert len(cut) <= 50 and cut.endswith("слово…")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_problem_has_a_text_and_health_renders_every_state(language: str) -> None:
    texts = Texts(language)
    zone = ZoneInfo("Asia/Almaty")
    for problem in Problem:
        assert texts(f"feeds.problem.{problem}") != f"feeds.problem.{problem}", problem
    base = Feed(
        1, "https://a.kz/rss", "config", None, None, None, WHEN, None, None, None,
        0, None, None, None, None, 0, 0,
    )  # fmt: skip
    never = health(texts, base, zone)
    failing = health(
        texts,
        replace(base, last_checked_at=WHEN, error_count=3, last_problem="timeout",
                last_detail="ReadTimeout", failing_since=WHEN),
        zone,
    )  # fmt: skip
    warned = health(
        texts, replace(base, last_checked_at=WHEN, last_problem="malformed_recovered"), zone
    )
    ok = health(texts, replace(base, last_checked_at=WHEN, items_stored=2), zone)
    assert texts.plain("feeds.never") in never and "✅" not in never
    assert "❌" in failing and "(ReadTimeout)" in failing and "3" in failing
    assert texts.datetime(WHEN.astimezone(zone)) in failing  # 12:00 in Almaty
    assert "⚠️" in warned and "✅" in ok
    for text in (never, failing, warned, ok):
        parse_html(text)
