"""Is a feed item about the talks? Keyword groups and rules from keywords.toml.

Kazakh has no stemmer and Russian stemming would need a dependency; word stems with `*` in the
data file cope with both languages' endings well enough for headlines and summaries, and the
rules (visa + EU + Kazakhstan, ...) keep one stray word from letting an item in.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

KEYWORDS_FILE = Path(__file__).with_name("keywords.toml")
LANGUAGES = ("kk", "ru", "en")


def _normalise(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def _term_pattern(term: str) -> str:
    words = []
    for word in _normalise(term).split():
        stem = word.removesuffix("*")
        # A hyphenated term ("visa-free", "Trans-Caspian*") may be written with a space too.
        piece = r"[\s\-]?".join(re.escape(part) for part in stem.split("-"))
        words.append(piece + (r"\w*" if word.endswith("*") else ""))
    return r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)"


def _group_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    folded = [_term_pattern(t) for t in terms if not _is_acronym(t)]
    exact = [_term_pattern(t) for t in terms if _is_acronym(t)]
    parts = []
    if folded:
        parts.append("(?i:" + "|".join(folded) + ")")
    if exact:
        parts.append("(?:" + "|".join(exact) + ")")
    return re.compile("|".join(parts) or r"(?!)")


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


@dataclass(frozen=True)
class Relevance:
    groups: Mapping[str, re.Pattern[str]]
    rules: tuple[frozenset[str], ...]

    def groups_in(self, text: str) -> frozenset[str]:
        text = _normalise(text)
        return frozenset(name for name, pattern in self.groups.items() if pattern.search(text))

    def __call__(self, text: str) -> bool:
        found = self.groups_in(text)
        return any(rule <= found for rule in self.rules)


def load(path: Path = KEYWORDS_FILE) -> Relevance:
    """Read and check the data file: every rule names known groups, every group all languages."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups: dict[str, re.Pattern[str]] = {}
    for name, by_language in data["groups"].items():
        missing = [lang for lang in LANGUAGES if not by_language.get(lang)]
        if missing:
            raise ValueError(f"{path}: group {name!r} has no terms for {', '.join(missing)}")
        groups[name] = _group_pattern([t for lang in LANGUAGES for t in by_language[lang]])
    rules = tuple(frozenset(rule) for rule in data["rules"])
    for rule in rules:
        if unknown := rule - groups.keys():
            raise ValueError(f"{path}: rule names unknown groups {sorted(unknown)}")
    return Relevance(groups, rules)


@cache
def default() -> Relevance:
    return load()
