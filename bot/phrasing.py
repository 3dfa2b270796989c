"""What a question is about, as a few normalised words (its signature), and when two
questions are the same one: to group the editors' list, and to know a later question is a
phrasing the editors tied to a fact.

A word becomes its synonym group where bot/answers/data.toml has one (which also joins the
languages: `сбор`, `алым` and `fee` are one word here), else its stem (case endings off).
Function words are left out; words naming the talks too, unless nothing else is left. Two
signatures are the same question when most of their words match, a stem matching another
with one typo.
"""

from __future__ import annotations

from functools import cache

from bot.answers.tables import Tables, load_tables
from bot.answers.text import tokenize

SAME_QUESTION = 0.5  # share of matching words (Dice) that makes two questions one
MIN_FUZZY = 5  # stems shorter than this must match exactly


@cache
def _tables() -> Tables:
    return load_tables()


def signature(text: str, tables: Tables | None = None) -> str:
    """The question's words, normalised, sorted and space separated ("" for none)."""
    tables = tables or _tables()
    stopwords = frozenset().union(*tables.stopwords.values())
    content: set[str] = set()
    context: set[str] = set()
    for token in tokenize(text):
        word = token.folded
        if len(word) <= 1 or word in stopwords:
            continue
        group = next((i for i, g in enumerate(tables.synonyms) if g.matches(word)), None)
        concept = f"~{group}" if group is not None else tables.stemmer(word, token.script)
        (context if tables.context.matches(word) else content).add(concept)
    return " ".join(sorted(content or context))


def _close(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.startswith("~") or b.startswith("~") or min(len(a), len(b)) < MIN_FUZZY:
        return False
    if a.startswith(b) or b.startswith(a):
        return abs(len(a) - len(b)) <= 2
    return _one_edit(a, b)


def _one_edit(a: str, b: str) -> bool:
    """At most one letter typed wrong, missing, extra, or two swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) <= 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def similarity(a: str, b: str) -> float:
    """Dice's share of matching words between two signatures, 0 to 1."""
    left, right = a.split(), b.split()
    if not left or not right:
        return 0.0
    matched = sum(any(_close(w, v) for v in right) for w in left)
    return 2 * min(matched, len(right)) / (len(left) + len(right))


def same(a: str, b: str) -> bool:
    return similarity(a, b) >= SAME_QUESTION
