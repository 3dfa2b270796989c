"""The words the facts really use, for turning a typed word into search prefixes.

Built from the fact index's own terms (facts_fts_terms), so what is looked up here is exactly
what FTS5 can find. A typed word becomes the prefixes of the indexed words it stands for:
its stem (`переговорами` -> `переговор`), its Kazakh spelling when typed on a Russian keyboard
(`кужат` -> `құжат`), or, when no indexed word starts with it, the nearest words within one
edit (two for long words): `documnets` -> `documents`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.answers.tables import WordSet
from bot.answers.text import Stemmer, Token, fold, in_one_script
from storage.models import FactTerm

MIN_FUZZY_LENGTH = 5  # shorter words have too many neighbours to guess from (курс ~ құра)
LONG_WORD = 8  # from this length two edits are allowed
MIN_FUZZY_STEM = 6  # stems compared only from this length: отмен ~ обмен is no evidence
MAX_CORRECTIONS = 2  # more words equally near: the typo is ambiguous, none is taken
_CACHE_SIZE = 20_000


@dataclass
class _Term:
    spellings: set[str] = field(default_factory=set)  # as indexed, e.g. қашан for кашан
    facts: set[int] = field(default_factory=set)
    keyword_facts: set[int] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)  # of the fact texts using it


@dataclass(frozen=True)
class Expansion:
    """What one typed word stands for."""

    forms: frozenset[str]  # folded words it is read as: itself, or its corrections
    prefixes: frozenset[str]  # FTS5 prefixes, spelled as indexed
    facts: frozenset[int]  # facts that use one of those words
    keyword_facts: frozenset[int]  # ... in their keywords
    languages: frozenset[str]  # languages of the fact texts using them
    corrected: bool = False


def merge(first: Expansion, others: Iterable[Expansion]) -> Expansion:
    """`first` widened by what `others` find; its forms (what was typed) stay its own."""
    prefixes, facts, keyword_facts = set(first.prefixes), set(first.facts), set(first.keyword_facts)
    for other in others:
        prefixes |= other.prefixes
        facts |= other.facts
        keyword_facts |= other.keyword_facts
    return Expansion(
        first.forms,
        frozenset(prefixes),
        frozenset(facts),
        frozenset(keyword_facts),
        first.languages,
        first.corrected,
    )


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions (OSA), or limit + 1 when above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class Vocabulary:
    def __init__(self, terms: Iterable[FactTerm], known: Iterable[str], stemmer: Stemmer) -> None:
        self.stemmer = stemmer
        self._terms: dict[str, _Term] = defaultdict(_Term)
        for item in terms:
            term = self._terms[fold(item.term)]
            term.spellings.add(item.term)
            term.facts.add(item.fact_id)
            if item.language:
                term.languages.add(item.language)
            else:
                term.keyword_facts.add(item.fact_id)
        self._sorted = sorted(self._terms)
        self.known = frozenset(known)
        # Single-deletion index (SymSpell): words within one edit share a deletion.
        self._by_deletion: dict[str, set[str]] = defaultdict(set)
        self._stems: dict[str, str] = {}
        for word in (*self._terms, *self.known):
            stem = self._stem(word)
            self._stems[word] = stem
            for variant in _deletions(word) | _deletions(stem):
                self._by_deletion[variant].add(word)
        self._cache: dict[tuple[str, str], Expansion] = {}

    def __len__(self) -> int:
        return len(self._terms)

    def _stem(self, folded: str) -> str:
        return self.stemmer(folded, in_one_script(folded)[1])

    def _starting(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        return self._sorted[start:end]

    def expand(self, token: Token) -> Expansion:
        key = (token.word, token.script)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            found = self._cache[key] = self._expand(token)
        return found

    def _expand(self, token: Token) -> Expansion:
        stem = self.stemmer(token.folded, token.script)
        words = self._starting(stem)
        if words or token.folded in self.known or len(token.folded) < MIN_FUZZY_LENGTH:
            prefixes = {token.word[: len(stem)]}
            prefixes.update(s[: len(stem)] for w in words for s in self._terms[w].spellings)
            return self._expansion({token.folded}, words, prefixes, corrected=False)
        corrections = self._nearest(token.folded, stem)
        if not corrections:
            return self._expansion({token.folded}, [], {token.word[: len(stem)]}, corrected=False)
        matched: set[str] = set()
        prefixes = set()
        for word in corrections:
            word_stem = self._stems[word]
            matched.update(self._starting(word_stem))
            spellings = self._terms[word].spellings if word in self._terms else {word}
            prefixes.update(s[: len(word_stem)] for s in spellings)
        return self._expansion(set(corrections), sorted(matched), prefixes, corrected=True)

    def expand_words(self, words: WordSet) -> Expansion:
        """What a group of words (data.toml [synonyms]) finds in the facts."""
        found: set[str] = {w for w in words.exact if w in self._terms}
        prefixes: set[str] = set()
        for word in found:
            prefixes |= self._terms[word].spellings
        for start in words.prefixes:
            matching = self._starting(start)
            found.update(matching)
            prefixes.update(s[: len(start)] for w in matching for s in self._terms[w].spellings)
        return self._expansion(set(), sorted(found), prefixes, corrected=False)

    def _nearest(self, folded: str, stem: str) -> list[str]:
        """Known words within one edit (two for long words) of the word, or of its stem when
        the stem is long enough to tell words apart."""
        limit = 2 if len(folded) >= LONG_WORD else 1
        use_stem = len(stem) >= MIN_FUZZY_STEM
        variants = _deletions(folded) | (_deletions(stem) if use_stem else set())
        candidates: set[str] = set()
        for variant in variants:
            candidates |= self._by_deletion.get(variant, set())
        best: list[str] = []
        best_distance = limit + 1
        for word in sorted(candidates):
            found = distance(folded, word, limit)
            if use_stem:
                found = min(found, distance(stem, self._stems[word], 1))
            if found < best_distance:
                best, best_distance = [word], found
            elif found == best_distance:
                best.append(word)
        return best if best_distance <= limit and len(best) <= MAX_CORRECTIONS else []

    def _expansion(
        self, forms: set[str], words: list[str], prefixes: set[str], *, corrected: bool
    ) -> Expansion:
        facts: set[int] = set()
        keyword_facts: set[int] = set()
        languages: set[str] = set()
        for word in words:
            term = self._terms[word]
            facts |= term.facts
            keyword_facts |= term.keyword_facts
            languages |= term.languages
        return Expansion(
            frozenset(forms),
            frozenset(p for p in prefixes if p),
            frozenset(facts),
            frozenset(keyword_facts),
            frozenset(languages),
            corrected,
        )
