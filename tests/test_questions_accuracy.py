"""Top-1 accuracy on the question set (tests/fixtures/questions.toml): at least 90% per language.

Each question is asked in a chat of its own language; the answer must put the expected fact
(or the status) first. A second check asks every question from a chat in another language:
the answer must still come in the question's language when that language is clear.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import cast

import pytest

from bot.answers import Answerer
from bot.seeds import SEEDS_DIR

QUESTIONS = Path(__file__).parent / "fixtures" / "questions.toml"
MIN_ACCURACY = 0.9
MIN_PER_LANGUAGE = 20


def questions() -> list[dict[str, object]]:
    with QUESTIONS.open("rb") as handle:
        return list(tomllib.load(handle)["q"])


def expected(item: dict[str, object]) -> set[str]:
    value = item["expect"]
    return {value} if isinstance(value, str) else set(cast("list[str]", value))


def test_the_question_set_is_complete_and_names_real_facts() -> None:
    with (SEEDS_DIR / "facts.toml").open("rb") as handle:
        keys = {fact["key"] for fact in tomllib.load(handle)["fact"]}
    items = questions()
    counts = Counter(str(q["lang"]) for q in items)
    assert all(counts[lang] >= MIN_PER_LANGUAGE for lang in ("kk", "ru", "en")), counts
    for item in items:
        assert expected(item) <= keys | {"status"}, item
    texts = [str(q["text"]) for q in items]
    assert len(set(texts)) == len(texts), "a question is listed twice"


async def test_top1_accuracy_per_language(
    answerer: Answerer, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses = []
    for item in questions():
        language = str(item["lang"])
        answer = await answerer.answer(str(item["text"]), language)
        asked[language] += 1
        if answer.top in expected(item):
            right[language] += 1
        else:
            misses.append(f"  {language} {item['text']!r}: got {answer.top}, want {item['expect']}")
    accuracy = {lang: right[lang] / asked[lang] for lang in asked}
    with capsys.disabled():
        print("\nquestion set, top-1 accuracy:")
        for lang in ("kk", "ru", "en"):
            print(f"  {lang}: {right[lang]}/{asked[lang]} = {accuracy[lang]:.0%}")
        print("\n".join(misses))
    assert all(value >= MIN_ACCURACY for value in accuracy.values()), accuracy


async def test_answers_come_in_the_questions_language_from_any_chat(answerer: Answerer) -> None:
    """From a chat in another language, a question clearly in kk/ru/en is answered in it."""
    wrong = []
    clear = 0
    items = questions()
    for item in items:
        language = str(item["lang"])
        for chat_language in {"kk", "ru", "en"} - {language}:
            answer = await answerer.answer(str(item["text"]), chat_language)
            if answer.guess is not None and answer.guess.clear:
                clear += 1
                if answer.language != language:
                    wrong.append((item["text"], chat_language, answer.language))
            elif answer.language != chat_language:
                wrong.append((item["text"], chat_language, answer.language))
    assert not wrong
    # Most questions say their language clearly; the rest stay in the chat's language.
    assert clear >= 0.8 * 2 * len(items), clear
