"""Question text to search terms: cleaning, tokens, Kazakh-keyboard folding, stems, FTS5 syntax.

People type Kazakh on Russian keyboards (`кужат` for `құжат`), mix Latin look-alikes into
Cyrillic words (`визa`), and paste anything at all. Everything here is pure and bounded: at
most MAX_CHARS characters and MAX_TOKENS tokens of a message are looked at.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_CHARS = 600  # a question is a sentence or two; the rest of a long paste is not read
MAX_TOKENS = 24

_WORD_RE = re.compile(r"[^\W_]+")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-z]")

# Kazakh letters as typed on a Russian layout, and ё as most people type it. Every pair keeps
# the length, so a prefix of a folded word is the folded prefix of the word.
_FOLD = str.maketrans("әғқңөұүһіё", "агкноууние")
KAZAKH_LETTERS = frozenset("әғқңөұүһі")

# Letters that look alike in both scripts; a word mixing scripts is set in its majority one.
_LATIN_LOOKALIKES = "aeopcxykmti"
_CYRILLIC_LOOKALIKES = "аеорсхукмті"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a question: as typed (case-folded, one script) and folded for matching."""

    word: str
    folded: str
    script: str  # "cyrillic", "latin" or "other" (digits, other alphabets)

    @property
    def has_kazakh_letters(self) -> bool:
        return not KAZAKH_LETTERS.isdisjoint(self.word)


def clean(text: str) -> str:
    """Compatibility forms unified, invisible format characters (zero-width etc.) removed."""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text[:MAX_CHARS].casefold()


def fold(word: str) -> str:
    return word.translate(_FOLD)


def in_one_script(word: str) -> tuple[str, str]:
    """The word with look-alike letters set in its majority script, and that script."""
    cyrillic = len(_CYRILLIC_RE.findall(word))
    latin = len(_LATIN_RE.findall(word))
    if cyrillic and latin:
        word = word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)
    if cyrillic >= latin and cyrillic:
        return word, "cyrillic"
    return word, "latin" if latin else "other"


def tokenize(text: str) -> list[Token]:
    """The words of `text` (at most MAX_TOKENS), each in one script."""
    tokens = []
    for match in _WORD_RE.finditer(clean(text)):
        word, script = in_one_script(match.group())
        tokens.append(Token(word, fold(word), script))
        if len(tokens) == MAX_TOKENS:
            break
    return tokens


@dataclass(frozen=True)
class Stemmer:
    """Strips inflection endings so a prefix query finds the other forms of a word.

    No stemmer exists for Kazakh. A Cyrillic word loses its longest Russian or Kazakh ending;
    then, since Kazakh stacks endings (келіссөз-дер-дің), Kazakh endings only, again and
    again. Never below a minimum stem length, so the stem stays a prefix of the word's other
    forms (виза, визы -> виз).
    """

    cyrillic: Sequence[str]  # Russian and Kazakh endings, folded, longest first
    kazakh: Sequence[str]
    english: Sequence[str]
    min_stem: int = 4
    short_word: int = 5  # up to this length a word loses one letter at most: визы -> виз
    rounds: int = 3

    def __call__(self, folded: str, script: str) -> str:
        if script == "other":
            return folded
        short = len(folded) <= self.short_word
        minimum = max(self.min_stem - 1, len(folded) - 1) if short else self.min_stem
        if script == "latin":
            return _strip(folded, self.english, minimum)
        stem = _strip(folded, self.cyrillic, minimum)
        for _ in range(self.rounds - 1):
            shorter = _strip(stem, self.kazakh, minimum)
            if shorter == stem:
                break
            stem = shorter
        return stem


def _strip(word: str, endings: Sequence[str], minimum: int) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= minimum:
            return word[: -len(ending)]
    return word


def quote(term: str) -> str:
    """An FTS5 string: whatever the user typed stays a string, never an operator."""
    return '"' + term.replace('"', '""') + '"'


def fts_query(groups: Iterable[Iterable[str]], *, every: bool) -> str:
    """`("a"* OR "b"*) AND ("c"*)`: each group is a word's prefixes; `every` joins with AND."""
    parts = []
    for group in groups:
        prefixes = sorted({p for p in group if p})
        if prefixes:
            parts.append("(" + " OR ".join(quote(p) + "*" for p in prefixes) + ")")
    return (" AND " if every else " OR ").join(parts)


# Kazakh typed in Latin letters: the official alphabets (2018: á ǵ ı ń ó ú ý, sh ch; 2021:
# ä ğ ñ ö ü ū ş) and the informal one people type on any keyboard (kashan, vizasyz, zhane).
# Read as Cyrillic Kazakh, a word can be matched against the Kazakh data and facts.
_KAZAKH_LATIN_PAIRS = (("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ya", "я"), ("yu", "ю"))
_KAZAKH_LATIN = str.maketrans(
    {
        "a": "а", "á": "ә", "ä": "ә", "b": "б", "c": "с", "d": "д", "e": "е", "f": "ф",
        "g": "г", "ǵ": "ғ", "ğ": "ғ", "h": "х", "ı": "и", "i": "і", "j": "ж", "k": "к",
        "q": "қ", "l": "л", "m": "м", "n": "н", "ń": "ң", "ñ": "ң", "o": "о", "ó": "ө",
        "ö": "ө", "p": "п", "r": "р", "s": "с", "ş": "ш", "t": "т", "u": "у", "ú": "ү",
        "ü": "ү", "ū": "ұ", "v": "в", "w": "у", "x": "х", "y": "ы", "ý": "у", "z": "з",
    }
)  # fmt: skip
_VOWELS_LATIN = "aáäeıioóöuúüūyý"
# `qandai`, `qanday`: i or y after a vowel, before no vowel, is й.
_GLIDE_RE = re.compile(rf"(?<=[{_VOWELS_LATIN}])[iıy](?![{_VOWELS_LATIN}])")


def kazakh_from_latin(word: str) -> str | None:
    """A Latin-letter word read as Kazakh in Cyrillic (`qashan` -> `қашан`), or None when
    the word has letters Kazakh Latin does not use."""
    word = _GLIDE_RE.sub("й", word)
    for latin, cyrillic in _KAZAKH_LATIN_PAIRS:
        word = word.replace(latin, cyrillic)
    word = word.translate(_KAZAKH_LATIN)
    return word if all("\u0400" <= ch <= "\u04ff" for ch in word) else None
