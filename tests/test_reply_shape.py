"""How a reply reads on a phone: Kazakh in Latin letters, as-of dates, one opening said once,
one screen with the rest behind "more"."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import sourcing
from bot.answers import Answer, Answerer, AnswerKind
from bot.answers.render import SCREEN, plain, reply_to
from bot.answers.text import kazakh_from_latin
from bot.content import Pages
from bot.i18n import texts_for


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("qashan", "қашан"),  # official Latin (2018)
        ("kashan", "кашан"),  # informal: the folded reading matches қашан
        ("vizasyz", "візасыз"),
        ("kúshine", "күшіне"),
        ("qanday", "қандай"),
        ("zhane", "жане"),
        ("rakhmet", "рахмет"),
    ],
)
def test_kazakh_typed_in_latin_letters_reads_as_cyrillic(latin: str, cyrillic: str) -> None:
    assert kazakh_from_latin(latin) == cyrillic


async def test_latin_kazakh_questions_get_kazakh_answers(answerer: Answerer) -> None:
    answer = await answerer.answer("kelisim qashan kúshine enedi", "kk")
    assert answer.intent == "in-force" and answer.language == "kk"
    assert (await answerer.answer("vizasyz bara alamyn ba", "kk")).intent == "visa-free"
    # English stays English: a known word is never read as Kazakh.
    assert (await answerer.answer("when will visa fees go down", "en")).language == "en"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "<i>2025 жылғы 2 желтоқсандағы жағдай бойынша (1 жыл бұрын).</i>"),
        ("ru", "<i>По состоянию на 2 декабря 2025 г. (1 год назад).</i>"),
        ("en", "<i>As of 2 December 2025 (1 year ago).</i>"),
    ],
)
def test_as_of_says_the_date_and_how_old_it_is(language: str, expected: str) -> None:
    texts = texts_for(language)
    assert sourcing.as_of(texts, dt.date(2025, 12, 2), dt.date(2026, 12, 4)) == expected
    today = sourcing.as_of(texts, dt.date(2026, 12, 4), dt.date(2026, 12, 4))
    assert "2026" in today and ("(" in today)
    # Kazakh months take their own ending: сәуірдегі, қыркүйектегі.
    april = sourcing.as_of(texts_for("kk"), dt.date(2026, 4, 1), dt.date(2026, 12, 4))
    september = sourcing.as_of(texts_for("kk"), dt.date(2026, 9, 1), dt.date(2026, 12, 4))
    assert "сәуірдегі" in april and "қыркүйектегі" in september


async def test_status_facts_and_news_say_as_of_when(answerer: Answerer) -> None:
    pages = Pages(answerer.store, today=lambda: dt.date(2026, 12, 4))
    ru = texts_for("ru")
    dated = "По состоянию на 2 декабря 2025 г. (1 год назад)."
    assert dated in await pages.status(ru)
    assert dated in await pages.timeline(ru)
    assert dated in (await pages.facts(ru)).text
    assert dated in (await pages.news(ru)).text
    # A later article moves the date.
    await answerer.store.articles.upsert_keyed(
        key="feed-x", origin="feed", source="Tengrinews", url=None, language="ru",
        title="Визовые переговоры", body="Раунд переговоров.", author=None,
        published_at="2026-11-20",
    )  # fmt: skip
    assert "По состоянию на 20 ноября 2026 г. (2 недели назад)." in await pages.status(ru)


async def test_facts_that_open_alike_say_the_opening_once(answerer: Answerer) -> None:
    answer = await answerer.answer("что изменится для путешественников", "ru")
    text = plain((await reply_to(answer, Pages(answerer.store))).text)
    assert text.count("По словам Каи Каллас") == 1
    assert text.count("Источник: Kazinform") == 1  # one source line for the four facts


async def test_a_reply_fits_one_screen_and_keeps_the_rest_for_more(answerer: Answerer) -> None:
    snapshot = await answerer.snapshot()
    many = tuple(sorted(snapshot.facts["ru"].values(), key=lambda f: f.id))[:8]
    answer = Answer("ru", AnswerKind.FACTS, many)
    reply = await reply_to(answer, Pages(answerer.store))
    assert len(plain(reply.text)) <= SCREEN
    assert reply.more and set(reply.more) < {f.id for f in many}
    shown = [f for f in many if f.id not in reply.more]
    assert all(f.text[-40:] in plain(reply.text) for f in shown)
    assert [f.id for f in many] == [f.id for f in shown] + list(reply.more)
