"""Matching a question against the intents of data.toml (the common questions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.answers.tables import Intent, Tables, WordSet


@dataclass(frozen=True)
class IntentMatch:
    intent: Intent
    specificity: int  # word classes in the matched pattern
    used: frozenset[int]  # token positions the pattern's parts were matched to


def _place(pattern: tuple[WordSet, ...], forms: Sequence[frozenset[str]]) -> set[int] | None:
    """Token positions matching each part of the pattern, each token used once; None if any
    part finds no token."""
    used: set[int] = set()
    for part in pattern:
        position = next(
            (
                i
                for i, words in enumerate(forms)
                if i not in used and any(part.matches(w) for w in words)
            ),
            None,
        )
        if position is None:
            return None
        used.add(position)
    return used


@dataclass(frozen=True)
class Matching:
    best: IntentMatch | None  # the intent that answers the question, if one does
    near: tuple[Intent, ...]  # intents whose pattern matched among too many other words


def match(tables: Tables, forms: Sequence[frozenset[str]], content: Sequence[bool]) -> Matching:
    """The most specific intent whose pattern matches and leaves few words unexplained.

    A content word is explained when a word class of the intent matches it (`processing
    time`: both words are about waiting; `какой следующий этап`: next and stage both belong
    to the status). Intents whose pattern matched but left too much unexplained are `near`:
    the search then favours their facts (`cheaper visas for kazakh citizens`).

    `forms` holds, per token, the folded words it may be (itself or its typo corrections);
    `content[i]` is False for function words and words naming the talks themselves.
    """
    best: IntentMatch | None = None
    near: list[Intent] = []
    for intent in tables.intents:
        words = {part for pattern in intent.patterns for part in pattern}
        for number, pattern in enumerate(intent.patterns):
            used = _place(pattern, forms)
            if used is None:
                continue
            unexplained = sum(
                1
                for i, c in enumerate(content)
                if c
                and i not in used
                and not any(part.matches(w) for w in forms[i] for part in words)
            )
            strong = intent.strong or number in intent.strong_patterns
            if unexplained > len(pattern) - 1 and not strong:
                if intent not in near:
                    near.append(intent)
            elif best is None or len(pattern) > best.specificity:
                best = IntentMatch(intent, len(pattern), frozenset(used))
    return Matching(best, tuple(i for i in near if best is None or i is not best.intent))
