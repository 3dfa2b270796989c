"""Hostile questions: FTS5 syntax, emoji, invisible characters, huge messages, any text at all.

The answer service must never raise, and what it renders must be valid Telegram HTML of at
most 4096 characters (checked with the fake Bot API's own HTML parser).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answers import Answerer
from bot.answers.render import inline_results, render
from bot.content import Pages
from bot.delivery.textsplit import TELEGRAM_LIMIT
from bot.seeds import load_seeds
from storage import open_store
from tests.fakebotapi import parse_html

HOSTILE = [
    '"',
    '""',
    '"виза',
    "виза*",
    "*",
    "NEAR(виза сбор, 2)",
    "виза NEAR сбор",
    "виза OR",
    "OR OR OR",
    "AND",
    "NOT виза",
    "-виза",
    "виза - сбор",
    "(виза",
    "виза)",
    "((()))",
    "{title body}: виза",
    "title:виза",
    "^виза",
    "виза + сбор",
    "🇰🇿🇪🇺 виза?",
    "🙂",
    "вi\u200bза\u200d сб\u2060ор\ufeff",
    "\u202eазив",
    "\x00\x01\x02",
    "ǅ ﬁ ｖｉｓａ",
    "a" * 10_000,
    "виза " * 2_000,
    ("сбор " * 50 + "\n") * 40,
    "<b>виза</b> &amp; <script>",
    "' OR 1=1; DROP TABLE facts; --",
    "\\",
    "\n\n\n",
    "",
]

ALPHABET = st.characters(
    blacklist_categories=["Cs"],
    whitelist_categories=None,
)
WORDS = st.sampled_from(
    ['"', "*", "NEAR", "OR", "AND", "NOT", "-", "(", ")", ":", "^", "виза", "визa", "қашан",
     "fees", "\u200b", "🙂", "келіссөз", "переговоры", "erasmus", "2024", "50"]
)  # fmt: skip
QUESTIONS = st.one_of(
    st.text(alphabet=ALPHABET, max_size=300),
    st.lists(WORDS, max_size=40).map(" ".join),
    st.lists(WORDS, max_size=40).map("".join),
)


async def check(answerer: Answerer, question: str, chat_language: str = "ru") -> None:
    answer = await answerer.answer(question, chat_language)
    text = await render(answer, Pages(answerer.store))
    assert 0 < len(text) <= TELEGRAM_LIMIT
    parse_html(text)  # raises on what Telegram would refuse
    for result in await inline_results(answer, answerer.store, Pages(answerer.store)):
        body = result.input_message_content.message_text  # type: ignore[attr-defined]
        assert 0 < len(body) <= TELEGRAM_LIMIT
        parse_html(body)


@pytest.mark.parametrize("question", HOSTILE)
async def test_hostile_questions_get_a_valid_short_reply(
    answerer: Answerer, question: str, caplog: pytest.LogCaptureFixture
) -> None:
    await check(answerer, question)
    # No query had to be refused by FTS5: quoting kept every one valid.
    assert not [r for r in caplog.records if r.name == "storage.search"]


def test_any_text_at_all(tmp_path: Path) -> None:
    """Property: for arbitrary text the service answers with valid HTML within the limit."""
    loop = asyncio.new_event_loop()
    try:
        store = loop.run_until_complete(open_store(tmp_path / "p.sqlite3"))
        loop.run_until_complete(load_seeds(store))
        answerer = Answerer(store)

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(question=QUESTIONS, language=st.sampled_from(["kk", "ru", "en"]))
        def answers(question: str, language: str) -> None:
            loop.run_until_complete(check(answerer, question, language))

        answers()
        loop.run_until_complete(store.close())
    finally:
        loop.close()
