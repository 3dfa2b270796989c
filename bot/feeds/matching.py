"""Finding the keyword file's terms in a text: which groups occur, in which sentence, where.

Matching works on the text's words rather than with one big regular expression: the text is
split into words once, and each word is looked up by itself and by its prefixes of the lengths
the stems have. That is several times faster, which matters for feeds of thousands of items.

Kazakh has no stemmer and Russian stemming would need a dependency; word stems with `*` in the
data file cope with both languages' endings well enough for headlines and summaries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A word, or the end of a sentence: . ! ? … followed by a space or the end, or a line break.
_TOKEN = re.compile(r"\w+|[.!?…]+(?=\s|$)|\n")
_WORD = re.compile(r"\w+")
TITLE = 0  # the title's sentence number; the summary's sentences count from 1
MEMO_LIMIT = 200_000  # words whose candidate terms are remembered

# Where a group's terms occur: (sentence, word position) pairs, in text order.
Hits = Mapping[str, Sequence[tuple[int, int]]]


def _normalise(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # lower case unless `exact`
    stem: bool  # any ending may follow
    exact: bool  # an acronym: compared in its original case

    def matches(self, word: str, lowered: str) -> bool:
        candidate = word if self.exact else lowered
        return candidate.startswith(self.text) if self.stem else candidate == self.text


@dataclass(frozen=True, slots=True)
class Term:
    group: str
    words: tuple[Word, ...]


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def term(group: str, raw: str) -> Term:
    """A term as the data file writes it: words, `*` after a stem, an acronym in capitals."""
    exact = _is_acronym(raw)
    words: list[Word] = []
    # A hyphenated word ("visa-free") is two words, as the text's split makes it.
    pieces = [p for p in re.split(r"[\s\-–—]+", _normalise(raw).strip()) if p]
    for piece in pieces:
        stem = piece.endswith("*")
        text = piece.rstrip("*")
        if not _WORD.fullmatch(text):
            raise ValueError(f"keyword {raw!r}: {text!r} is not a word")
        words.append(Word(text if exact else text.lower(), stem, exact))
    return Term(group, tuple(words))


class TermIndex:
    """The terms by their first word, for `hits`: whole words, stems, and acronyms."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self._whole: dict[str, list[Term]] = defaultdict(list)
        self._stems: dict[str, list[Term]] = defaultdict(list)
        self._exact: dict[str, list[Term]] = defaultdict(list)
        for found in terms:
            first = found.words[0]
            if first.exact:
                self._exact[first.text].append(found)
            elif first.stem:
                self._stems[first.text].append(found)
            else:
                self._whole[first.text].append(found)
        self._memo: dict[str, tuple[Term, ...]] = {}
        self._stem_lengths = sorted({len(stem) for stem in self._stems})
        # Acronym stems ("ЕО" does not take endings here, but allow it): prefixes in case.
        self._exact_stem_lengths = sorted(
            {len(t.words[0].text) for ts in self._exact.values() for t in ts if t.words[0].stem}
        )

    def __getstate__(self) -> dict[str, object]:
        # Sent to the parsing processes with every feed: without the memo of words seen.
        state = dict(self.__dict__)
        state["_memo"] = {}
        return state

    def _candidates(self, word: str, lowered: str) -> tuple[Term, ...]:
        """The terms that may start at `word`; memoised, as feeds repeat their words."""
        found = self._memo.get(word)
        if found is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[word] = tuple(self._lookup(word, lowered))
        return found

    def _lookup(self, word: str, lowered: str) -> list[Term]:
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

    def hits(self, text: str, first_sentence: int = 1) -> dict[str, list[tuple[int, int]]]:
        """Each group found in `text`, with the sentence and word position of every term."""
        sentence = first_sentence
        words: list[str] = []
        sentences: list[int] = []
        for token in _TOKEN.findall(_normalise(text)):
            if token[0].isalnum() or token[0] == "_":
                words.append(token)
                sentences.append(sentence)
            elif words and sentences[-1] == sentence:
                sentence += 1
        lowered = [w.lower() for w in words]
        found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, (word, low) in enumerate(zip(words, lowered, strict=True)):
            for candidate in self._candidates(word, low):
                rest = candidate.words[1:]
                if len(rest) <= len(words) - i - 1 and all(
                    part.matches(words[i + 1 + k], lowered[i + 1 + k])
                    and sentences[i + 1 + k] == sentences[i]
                    for k, part in enumerate(rest)
                ):
                    found[candidate.group].append((sentences[i], i))
        return found
