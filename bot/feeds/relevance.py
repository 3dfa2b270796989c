"""Is a feed item about the talks? Keyword groups and rules from keywords.toml.

Kazakh has no stemmer and Russian stemming would need a dependency; word stems with `*` in the
data file cope with both languages' endings well enough for headlines and summaries, and the
rules (visa + EU + Kazakhstan, ...) keep one stray word from letting an item in.

Matching works on the text's words rather than with one big regular expression: the text is
split into words once, and each word is looked up by itself and by its prefixes of the lengths
the stems have. That is several times faster, which matters for feeds of thousands of items.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

KEYWORDS_FILE = Path(__file__).with_name("keywords.toml")
LANGUAGES = ("kk", "ru", "en")
_WORD = re.compile(r"\w+")


def _normalise(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


@dataclass(frozen=True, slots=True)
class _Word:
    text: str  # lower case unless `exact`
    stem: bool  # any ending may follow
    exact: bool  # an acronym: compared in its original case

    def matches(self, word: str, lowered: str) -> bool:
        candidate = word if self.exact else lowered
        return candidate.startswith(self.text) if self.stem else candidate == self.text


@dataclass(frozen=True, slots=True)
class _Term:
    group: str
    words: tuple[_Word, ...]


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def _term(group: str, raw: str) -> _Term:
    exact = _is_acronym(raw)
    words: list[_Word] = []
    # A hyphenated word ("visa-free") is two words, as the text's split makes it.
    pieces = [p for p in re.split(r"[\s\-]+", _normalise(raw).strip()) if p]
    for piece in pieces:
        stem = piece.endswith("*")
        text = piece.rstrip("*")
        if not _WORD.fullmatch(text):
            raise ValueError(f"keyword {raw!r}: {text!r} is not a word")
        words.append(_Word(text if exact else text.lower(), stem, exact))
    return _Term(group, tuple(words))


class Relevance:
    """`relevance(text)`: does the text satisfy one of the rules?"""

    def __init__(self, terms: Sequence[_Term], rules: Sequence[frozenset[str]]) -> None:
        self.rules = tuple(rules)
        self._whole: dict[str, list[_Term]] = defaultdict(list)
        self._stems: dict[str, list[_Term]] = defaultdict(list)
        self._exact: dict[str, list[_Term]] = defaultdict(list)
        for term in terms:
            first = term.words[0]
            if first.exact:
                self._exact[first.text].append(term)
            elif first.stem:
                self._stems[first.text].append(term)
            else:
                self._whole[first.text].append(term)
        self._stem_lengths = sorted({len(stem) for stem in self._stems})
        # Acronym stems ("ЕО" does not take endings here, but allow it): prefixes in case.
        self._exact_stem_lengths = sorted(
            {len(t.words[0].text) for ts in self._exact.values() for t in ts if t.words[0].stem}
        )

    def _candidates(self, word: str, lowered: str) -> list[_Term]:
        found = list(self._whole.get(lowered, ()))
        found += self._exact.get(word, ())
        for length in self._stem_lengths:
            if length > len(lowered):
                break
            found += self._stems.get(lowered[:length], ())
        for length in self._exact_stem_lengths:
            if length <= len(word):
                found += [t for t in self._exact.get(word[:length], ()) if t.words[0].stem]
        return found

    def groups_in(self, text: str) -> frozenset[str]:
        """The names of the groups whose terms occur in `text`."""
        words = _WORD.findall(_normalise(text))
        lowered = [w.lower() for w in words]
        groups: set[str] = set()
        for i, (word, low) in enumerate(zip(words, lowered, strict=True)):
            for term in self._candidates(word, low):
                if term.group in groups:
                    continue
                rest = term.words[1:]
                if len(rest) <= len(words) - i - 1 and all(
                    part.matches(words[i + 1 + k], lowered[i + 1 + k])
                    for k, part in enumerate(rest)
                ):
                    groups.add(term.group)
        return frozenset(groups)

    def __call__(self, text: str) -> bool:
        found = self.groups_in(text)
        return any(rule <= found for rule in self.rules)


def load(path: Path = KEYWORDS_FILE) -> Relevance:
    """Read and check the data file: every rule names known groups, every group all languages."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms: list[_Term] = []
    for name, by_language in data["groups"].items():
        missing = [lang for lang in LANGUAGES if not by_language.get(lang)]
        if missing:
            raise ValueError(f"{path}: group {name!r} has no terms for {', '.join(missing)}")
        terms += [_term(name, raw) for lang in LANGUAGES for raw in by_language[lang]]
    rules = tuple(frozenset(rule) for rule in data["rules"])
    known = {term.group for term in terms}
    for rule in rules:
        if unknown := rule - known:
            raise ValueError(f"{path}: rule names unknown groups {sorted(unknown)}")
    return Relevance(terms, rules)


@cache
def default() -> Relevance:
    return load()
