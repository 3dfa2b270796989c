"""Questions as citizens type them (tests/fixtures/citizens*.toml), judged by what the reply
must show: the kind of answer, words it must contain, patterns it must not (an invented fee),
and a length that fits a phone screen. At least 90% per language.

The set was written from the users' side, blind to the engine; see the files' headers.
"""

from __future__ import annotations

import re
import statistics
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.answers import Answer, Answerer, AnswerKind
from bot.answers.render import plain, reply_to
from bot.content import Pages

FIXTURES = Path(__file__).parent / "fixtures"
SETS = sorted(FIXTURES.glob("citizens*.toml"))
MIN_ACCURACY = 0.9
LANGUAGES = ("kk", "ru", "en")
# What each class of question must get: the answer's kind (the rest is in the needles).
IN_SCOPE = {AnswerKind.FACTS, AnswerKind.STATUS, AnswerKind.ARTICLES}


def questions() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in SETS:
        with path.open("rb") as handle:
            items += tomllib.load(handle)["q"]
    return items


def problems(item: dict[str, Any], answer: Answer, text: str) -> list[str]:
    """What is wrong with the reply to `item`, as short phrases (empty: right)."""
    found = []
    wanted = item["class"]
    if wanted == "command":
        command = item["command"]
        done = answer.command == command or (
            (command, answer.kind) in {("status", AnswerKind.STATUS), ("news", AnswerKind.NEWS)}
        )
        if not done:
            found.append(f"not the command {command} ({answer.kind})")
    elif wanted == "greeting":
        if answer.kind is not AnswerKind.REPLY:
            found.append(f"no greeting back ({answer.kind})")
    elif wanted == "out-of-scope":
        if answer.kind is not AnswerKind.OUTSIDE:
            found.append(f"not declined ({answer.kind})")
    elif wanted == "not-known":  # about the talks, no source answers: the editors must see it
        if answer.kind is not AnswerKind.NOTHING:
            found.append(f"not a plain not-known ({answer.kind})")
    elif answer.kind not in IN_SCOPE:
        found.append(f"no answer ({answer.kind})")
    lowered = text.casefold()
    for group in item.get("needles", []):
        if not any(needle.casefold() in lowered for needle in group):
            found.append(f"lacks {group[:3]}")
    for pattern in item.get("forbid", []):
        if re.search(pattern, text, re.IGNORECASE):
            found.append(f"has {pattern!r}")
    if len(text) > int(item.get("max_chars", 1000)):
        found.append(f"{len(text)} characters")
    return found


def test_the_set_is_well_formed() -> None:
    items = questions()
    counts = Counter(item["lang"] for item in items)
    assert all(counts[lang] >= 30 for lang in LANGUAGES), counts
    texts = [item["text"] for item in items]
    assert len(set(texts)) == len(texts), "a question is listed twice"
    classes = {
        "visa-free", "when", "today-rules", "command", "greeting", "out-of-scope", "facts",
        "general", "not-known",
    }  # fmt: skip
    assert {item["class"] for item in items} <= classes
    for item in items:
        for pattern in item.get("forbid", []):
            re.compile(pattern)


async def test_citizens_questions_get_the_reply_they_need(
    answerer: Answerer, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = Pages(answerer.store)
    asked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    by_class: Counter[tuple[str, str, bool]] = Counter()
    lengths: dict[str, list[int]] = {lang: [] for lang in LANGUAGES}
    misses = []
    for item in questions():
        language = item["lang"]
        answer = await answerer.answer(item["text"], language)
        text = plain((await reply_to(answer, pages)).text)
        lengths[language].append(len(text))
        wrong = problems(item, answer, text)
        asked[language] += 1
        right[language] += not wrong
        by_class[(language, item["class"], not wrong)] += 1
        if wrong:
            misses.append(f"  {language} {item['class']} {item['text']!r}: {'; '.join(wrong)}")
    with capsys.disabled():
        print("\ncitizens' questions:")
        for lang in LANGUAGES:
            print(
                f"  {lang}: {right[lang]}/{asked[lang]} = {right[lang] / asked[lang]:.0%}, "
                f"reply length median {statistics.median(lengths[lang]):.0f}, "
                f"longest {max(lengths[lang])}"
            )
        print("\n".join(misses))
    assert all(right[lang] / asked[lang] >= MIN_ACCURACY for lang in LANGUAGES), dict(right)
    assert all(statistics.median(lengths[lang]) <= 600 for lang in LANGUAGES)
    assert all(max(lengths[lang]) <= 1500 for lang in LANGUAGES)
