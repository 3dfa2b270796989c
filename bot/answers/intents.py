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


def match(
    tables: Tables, forms: Sequence[frozenset[str]], content: Sequence[bool]
) -> IntentMatch | None:
    """The most specific intent whose pattern matches and leaves few words unexplained.

    A content word is explained when any part of the pattern matches it (`processing time`:
    both words are about waiting).

    `forms` holds, per token, the folded words it may be (itself or its typo corrections);
    `content[i]` is False for function words and words naming the talks themselves.
    """
    best: IntentMatch | None = None
    for intent in tables.intents:
        for pattern in intent.patterns:
            if best is not None and len(pattern) <= best.specificity:
                continue
            used = _place(pattern, forms)
            if used is None:
                continue
            unexplained = sum(
                1
                for i, c in enumerate(content)
                if c and i not in used and not any(p.matches(w) for p in pattern for w in forms[i])
            )
            if unexplained <= len(pattern) - 1:
                best = IntentMatch(intent, len(pattern), frozenset(used))
    return best
