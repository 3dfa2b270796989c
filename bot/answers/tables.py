"""The language data of bot/answers/data.toml as typed, folded tables, read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bot.answers.text import Stemmer, fold

DATA_PATH = Path(__file__).with_name("data.toml")


@dataclass(frozen=True)
class WordSet:
    """Whole words and word starts (`word*` in the data), folded."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def parse(cls, words: str) -> WordSet:
        items = [fold(w.casefold()) for w in words.split()]
        return cls(
            frozenset(w for w in items if not w.endswith("*")),
            tuple(sorted({w[:-1] for w in items if w.endswith("*")})),
        )

    def matches(self, word: str) -> bool:
        return word in self.exact or word.startswith(self.prefixes)

    def words(self) -> frozenset[str]:
        return self.exact | frozenset(self.prefixes)


@dataclass(frozen=True)
class Intent:
    """A common question: its patterns (each a tuple of word sets) and what answers it."""

    name: str
    patterns: tuple[tuple[WordSet, ...], ...]
    status: bool = False
    news: bool = False
    facts: tuple[str, ...] = ()
    note: str | None = None
    reached: int | None = None  # asks whether the talks reached this stage: yes / not yet
    reply: str | None = None  # small talk (hello, thanks): answered with this text alone
    command: str | None = None  # a plain word for a command (`подписаться`): run it
    strong: bool = False  # answers however many other words the question has
    strong_patterns: frozenset[int] = frozenset()  # ... only with these patterns (`!` in data)


@dataclass(frozen=True)
class Tables:
    stopwords: dict[str, frozenset[str]]
    stemmer: Stemmer
    context: WordSet
    intents: tuple[Intent, ...]
    hints: tuple[tuple[WordSet, str], ...] = ()  # (words, fact topic they point to)
    synonyms: tuple[WordSet, ...] = ()
    classes: dict[str, WordSet] = field(default_factory=dict)

    def knows(self, folded: str) -> bool:
        """Whether the data names the word: a function word, a word of the talks or of a class."""
        return (
            any(folded in words for words in self.stopwords.values())
            or self.context.matches(folded)
            or any(words.matches(folded) for words in self.classes.values())
        )

    def known_words(self) -> frozenset[str]:
        """Every word the data names: typos are corrected towards these too."""
        words = set().union(*self.stopwords.values()) | self.context.words()
        for group in self.synonyms:
            words |= group.words()
        for part in self.classes.values():
            words |= part.words()
        for intent in self.intents:
            for pattern in intent.patterns:
                for part in pattern:
                    words |= part.words()
        return frozenset(words)


def _words(text: str) -> list[str]:
    return [fold(w.casefold()) for w in text.split()]


def _longest_first(text: str) -> tuple[str, ...]:
    return tuple(sorted(set(_words(text)), key=lambda e: (-len(e), e)))


def _parts(pattern: str, classes: dict[str, WordSet]) -> tuple[WordSet, ...]:
    parts = []
    for name in pattern.split():
        if name.startswith("@"):
            if name[1:] not in classes:
                raise ValueError(f"{DATA_PATH.name}: no word class {name}")
            parts.append(classes[name[1:]])
        else:
            parts.append(WordSet.parse(name))
    return tuple(parts)


def _intent(item: dict[str, Any], classes: dict[str, WordSet]) -> Intent:
    note, reply = item.get("note"), item.get("reply")
    return Intent(
        name=str(item["name"]),
        patterns=tuple(_parts(str(p).lstrip("!"), classes) for p in item["patterns"]),
        status=bool(item.get("status", False)),
        news=bool(item.get("news", False)),
        facts=tuple(str(k) for k in item.get("facts", ())),
        note=str(note) if note else None,
        reached=int(item["reached"]) if "reached" in item else None,
        reply=str(reply) if reply else None,
        command=str(item["command"]) if "command" in item else None,
        strong=bool(item.get("strong", False)),
        strong_patterns=frozenset(
            i for i, p in enumerate(item["patterns"]) if str(p).startswith("!")
        ),
    )


def _with_classes(words: str, raw: dict[str, str], depth: int = 0) -> str:
    """`@name` inside a word list stands for that class's words (`eu` names its states)."""
    if depth > 3:
        raise ValueError(f"{DATA_PATH.name}: classes refer to each other too deeply")
    return " ".join(
        _with_classes(raw[w[1:]], raw, depth + 1) if w.startswith("@") else w for w in words.split()
    )


@cache
def load_tables(path: Path = DATA_PATH) -> Tables:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    raw = data["classes"]
    classes = {name: WordSet.parse(_with_classes(words, raw)) for name, words in raw.items()}
    return Tables(
        stopwords={lang: frozenset(_words(words)) for lang, words in data["stopwords"].items()},
        stemmer=Stemmer(
            cyrillic=_longest_first(data["suffixes"]["russian"] + data["suffixes"]["kazakh"]),
            kazakh=_longest_first(data["suffixes"]["kazakh"]),
            english=_longest_first(data["suffixes"]["english"]),
        ),
        context=WordSet.parse(_with_classes(data["context"]["words"], raw)),
        intents=tuple(_intent(item, classes) for item in data["intent"]),
        synonyms=tuple(WordSet.parse(words) for words in data.get("synonyms", {}).values()),
        hints=tuple(
            (part, topic)
            for topic, words in data.get("hints", {}).items()
            for part in _parts(words, classes)
        ),
        classes=classes,
    )
