"""A question read as words: what each word stands for, and what kind of word it is.

Kazakh typed in Latin letters is read as Cyrillic where English does not know the word;
word classes (data.toml) are looked up on the words and on pairs of them (`us+visa`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bot.answers.language import Guess, guess
from bot.answers.snapshot import Snapshot
from bot.answers.tables import Tables
from bot.answers.text import Token, fold, kazakh_from_latin, tokenize
from bot.answers.vocabulary import Expansion


@dataclass(frozen=True)
class Reading:
    """A question's words: what each stands for and what kind of word it is."""

    expansions: list[Expansion]
    stop: list[bool]  # function words (and single letters)
    context: list[bool]  # words naming the talks themselves
    guess: Guess
    compared: list[bool]  # countries named for comparison (`like Georgia`)

    @property
    def forms(self) -> list[frozenset[str]]:
        return [e.forms for e in self.expansions]

    @property
    def content(self) -> list[bool]:
        """Words that say what the question is about."""
        return [not s and not c for s, c in zip(self.stop, self.context, strict=True)]


def read(tables: Tables, stopwords: frozenset[str], snapshot: Snapshot, question: str) -> Reading:
    tokens = kazakh_function_words(
        tables, [as_kazakh(tables, snapshot, t) for t in tokenize(question)]
    )
    expansions = [snapshot.vocabulary.expand(t) for t in tokens]
    # One letter alone is an initial, a stray key or the `s` of `what's`: never a topic.
    stop = [t.folded in stopwords or len(t.folded) == 1 for t in tokens]
    context = [any(tables.context.matches(w) for w in e.forms) for e in expansions]
    return Reading(
        expansions=expansions,
        stop=stop,
        context=context,
        guess=guess(tokens, expansions, tables.stopwords),
        compared=compared(tables, [e.forms for e in expansions], stop),
    )


def compared(tables: Tables, forms: list[frozenset[str]], stop: list[bool]) -> list[bool]:
    """The words of a comparison: after `like` / `как` and before `сияқты`, the run of
    country names and function words (`like ukraine and georgia`)."""
    marked = [False] * len(forms)

    def is_a(word_class: str, i: int) -> bool:
        return any(tables.classes[word_class].matches(w) for w in forms[i])

    def country_or_stop(i: int) -> bool:
        return stop[i] or is_a("foreign", i) or not any(map(tables.knows, forms[i]))

    before = tables.classes["likeness_before"]
    for i in range(len(forms)):
        steps = []
        if is_a("likeness_before", i):
            steps = list(range(i + 1, len(forms)))
        elif i + 1 < len(forms) and any(
            before.matches(f"{a}+{b}") for a in forms[i] for b in forms[i + 1]
        ):
            steps = list(range(i + 2, len(forms)))
        elif is_a("likeness_after", i):
            steps = list(range(i - 1, -1, -1))
        for j in steps:
            if not country_or_stop(j):
                break
            marked[j] = True
    return marked


def as_kazakh(tables: Tables, snapshot: Snapshot, token: Token) -> Token:
    """A Latin word nobody writes in English, read as Kazakh typed in Latin letters
    (`qashan`, `vizasyz`) when that reading is a word the data or the facts know."""
    if token.script != "latin" or tables.knows(token.folded):
        return token
    if snapshot.vocabulary.expand(token).facts:
        return token
    cyrillic = kazakh_from_latin(token.word)
    if cyrillic is None:
        return token
    # Spelled folded: a Latin `i` is no evidence of Kazakh `і` for the language guess.
    kazakh = Token(fold(cyrillic), fold(cyrillic), "cyrillic")
    if tables.knows(kazakh.folded) or snapshot.vocabulary.expand(kazakh).facts:
        return kazakh
    return token


def kazakh_function_words(tables: Tables, tokens: list[Token]) -> list[Token]:
    """In a sentence already read as Kazakh typed in Latin (`habarlama ... tur jazylymdy
    toktat`), the Latin words that are Kazakh function words (`tur`: тұр) are read so too,
    even where an English fact word looks like them."""
    if not any(t.script == "cyrillic" for t in tokens) or all(
        t.script == "cyrillic" for t in tokens
    ):
        return tokens
    kazakh = tables.stopwords.get("kk", frozenset())
    read_as: list[Token] = []
    for token in tokens:
        cyrillic = kazakh_from_latin(token.word) if token.script == "latin" else None
        folded = fold(cyrillic) if cyrillic else ""
        read_as.append(Token(folded, folded, "cyrillic") if folded in kazakh else token)
    return read_as


def names(tables: Tables, reading: Reading, word_class: str, *, comparisons: bool = True) -> bool:
    """Whether a word of the question, or two in a row (`us+visa`), is of the class
    (without the words of a comparison, unless `comparisons`)."""
    words = tables.classes[word_class]
    forms = [
        f if comparisons or not c else frozenset()
        for f, c in zip(reading.forms, reading.compared, strict=True)
    ]
    pairs = (f"{a}+{b}" for one, two in itertools.pairwise(forms) for a in one for b in two)
    return any(words.matches(w) for f in forms for w in f) or any(map(words.matches, pairs))
