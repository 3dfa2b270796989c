"""Is a feed item about the talks? Terms and ordered rules from keywords.toml, explained.

The item is read as a whole: its title, then its summary cut into sentences. A rule names the
groups of terms that must occur together in one *unit*: the title alone, or one sentence
together with the title's terms (a headline names what its sentences are about, unless it
names a third country). Each unit's verdict is its first matching rule; one unit let in lets
the item in, and the decision carries the rule's name, so a log line or the admins' "kept
out" list says why. Rules over the whole text only explain why an item stayed out; no rule
matching means "off topic". Words scattered over unrelated sentences thus never combine.

The partner check: a visa or readmission term is about Kazakhstan and the EU only when one of
them, or the talks or "the sides", is named in its own sentence (or title), and no third
country nearer to it (EU–Uzbekistan visa talks, Kazakhstan–Russia readmission stay out).

Kazakh has no stemmer and Russian stemming would need a dependency; word stems with `*` in the
data file cope with both languages' endings well enough for headlines and summaries.

Matching works on the text's words rather than with one big regular expression: the text is
split into words once, and each word is looked up by itself and by its prefixes of the lengths
the stems have. That is several times faster, which matters for feeds of thousands of items.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

KEYWORDS_FILE = Path(__file__).with_name("keywords.toml")
LANGUAGES = ("kk", "ru", "en")
SCOPES = ("title", "sentence", "text")
# A word, or the end of a sentence: . ! ? … followed by a space or the end, or a line break.
_TOKEN = re.compile(r"\w+|[.!?…]+(?=\s|$)|\n")
_WORD = re.compile(r"\w+")
TITLE = 0  # the title's sentence number; the summary's sentences count from 1
MEMO_LIMIT = 200_000  # words whose candidate terms are remembered


def _normalise(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


@dataclass(frozen=True, slots=True)
class Decision:
    """What the judgement came to, and the rule that decided."""

    relevant: bool
    rule: str
    near_miss: bool = False  # kept out, but close enough for an admin to look at


Judge = Callable[[str, str], Decision]  # (title, summary) -> Decision


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


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    relevant: bool
    scope: str  # title | sentence | text
    all: frozenset[str]  # every one of these groups in the unit
    none: frozenset[str]  # none of these in the unit
    partner: bool  # the partner check must pass (see the module docstring)
    near_miss: bool  # shown to admins when it keeps an item out


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def _term(group: str, raw: str) -> _Term:
    exact = _is_acronym(raw)
    words: list[_Word] = []
    # A hyphenated word ("visa-free") is two words, as the text's split makes it.
    pieces = [p for p in re.split(r"[\s\-–—]+", _normalise(raw).strip()) if p]
    for piece in pieces:
        stem = piece.endswith("*")
        text = piece.rstrip("*")
        if not _WORD.fullmatch(text):
            raise ValueError(f"keyword {raw!r}: {text!r} is not a word")
        words.append(_Word(text if exact else text.lower(), stem, exact))
    return _Term(group, tuple(words))


# Where a group's terms occur: (sentence, word position) pairs, in text order.
Hits = Mapping[str, Sequence[tuple[int, int]]]


class Relevance:
    """`relevance(title, summary)`: the Decision of the first rule that matches."""

    def __init__(
        self,
        terms: Sequence[_Term],
        rules: Sequence[Rule],
        partners: frozenset[str] = frozenset(),
        foreign: frozenset[str] = frozenset(),
        topic: frozenset[str] = frozenset(),
        ties: frozenset[str] = frozenset(),
    ) -> None:
        self.rules = tuple(rules)
        self.partners = partners  # groups naming the two sides: the EU, Kazakhstan
        self.foreign = foreign  # groups naming third countries
        self.topic = topic  # groups whose partner is checked: visa, readmission
        self.ties = ties  # groups that tie a topic term to the title's sides: the talks
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
        self._memo: dict[str, tuple[_Term, ...]] = {}
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

    def _candidates(self, word: str, lowered: str) -> tuple[_Term, ...]:
        """The terms that may start at `word`; memoised, as feeds repeat their words."""
        found = self._memo.get(word)
        if found is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[word] = tuple(self._lookup(word, lowered))
        return found

    def _lookup(self, word: str, lowered: str) -> list[_Term]:
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
            for term in self._candidates(word, low):
                rest = term.words[1:]
                if len(rest) <= len(words) - i - 1 and all(
                    part.matches(words[i + 1 + k], lowered[i + 1 + k])
                    and sentences[i + 1 + k] == sentences[i]
                    for k, part in enumerate(rest)
                ):
                    found[term.group].append((sentences[i], i))
        return found

    def groups_in(self, text: str) -> frozenset[str]:
        """The names of the groups whose terms occur in `text`."""
        return frozenset(self.hits(text))

    def __call__(self, title: str, summary: str = "") -> Decision:
        title_hits = self.hits(title, TITLE)
        body_hits = self.hits(summary)
        if not title_hits and not body_hits:
            return Decision(False, "off-topic")
        # Each unit's verdict is its first matching rule; one unit in lets the item in.
        order = {rule.name: i for i, rule in enumerate(self.rules)}
        kept_by: list[Rule] = []
        units = sorted({s for hits in body_hits.values() for s, _ in hits} | {TITLE})
        for unit in units:
            for rule in self.rules:
                if rule.scope == "text" or (rule.scope == "title" and unit != TITLE):
                    continue
                if self._unit_matches(rule, title_hits, body_hits, unit):
                    if rule.relevant:
                        return Decision(True, rule.name)
                    kept_by.append(rule)
                    break
        if not kept_by:  # no unit's rule: the whole text may still explain it
            kept_by = [
                rule
                for rule in self.rules
                if rule.scope == "text" and self._unit_matches(rule, title_hits, body_hits, None)
            ]
        if not kept_by:
            return Decision(False, "off-topic")
        # The explanation: the earliest rule in the file that kept a unit out.
        rule = min(kept_by, key=lambda r: order[r.name])
        return Decision(rule.relevant, rule.name, not rule.relevant and rule.near_miss)

    def _unit_matches(self, rule: Rule, title: Hits, body: Hits, sentence: int | None) -> bool:
        def present(group: str) -> bool:
            if group in title:
                return True
            if sentence is None:
                return group in body
            return any(s == sentence for s, _ in body.get(group, ()))

        if not all(present(g) for g in rule.all) or any(present(g) for g in rule.none):
            return False
        if sentence not in (None, TITLE) and any(g in title for g in self.foreign):
            # A title naming a third country ("Kazakhstan and Uzbekistan ...") lends nothing:
            # whose side a borrowed name is on cannot be told.
            own = {g for g in rule.all if any(s == sentence for s, _ in body.get(g, ()))}
            if own != rule.all:
                return False
        if not rule.partner:
            return True
        # The partner is checked where the topic term is: its sentence, or the title.
        return any(
            self._partner_ok(title if s == TITLE else body, s, position)
            for group in rule.all & self.topic
            for hits in (title.get(group, ()), body.get(group, ()))
            for s, position in hits
            if sentence is None or s in (TITLE, sentence)
        )

    def _partner_ok(self, hits: Hits, sentence: int, position: int) -> bool:
        """Is the topic term at `position` tied to the two sides: one of them, or the talks or
        the sides (roles.ties), named in its sentence, and no third country nearer to it?"""

        def nearest(groups: frozenset[str]) -> int | None:
            distances = [
                abs(p - position)
                for group in groups
                for s, p in hits.get(group, ())
                if s == sentence
            ]
            return min(distances) if distances else None

        ours = nearest(self.partners)
        foreign = nearest(self.foreign)
        if foreign is not None:
            return ours is not None and ours < foreign
        # "The sides also discussed visas": the talks or the sides point back to the title's.
        return ours is not None or nearest(self.ties) is not None


def load(path: Path = KEYWORDS_FILE) -> Relevance:
    """Read and check the data file: every rule names known groups, every group all languages."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms: list[_Term] = []
    for name, by_language in data["groups"].items():
        missing = [lang for lang in LANGUAGES if not by_language.get(lang)]
        if missing:
            raise ValueError(f"{path}: group {name!r} has no terms for {', '.join(missing)}")
        terms += [_term(name, raw) for lang in LANGUAGES for raw in by_language[lang]]
    known = {term.group for term in terms}
    rules = []
    for raw in data["rules"]:
        rule = Rule(
            name=raw["name"],
            relevant=raw["verdict"] == "in",
            scope=raw.get("scope", "sentence"),
            all=frozenset(raw["all"]),
            none=frozenset(raw.get("none", ())),
            partner=bool(raw.get("partner", False)),
            near_miss=bool(raw.get("near_miss", False)),
        )
        if raw["verdict"] not in ("in", "out") or rule.scope not in SCOPES:
            raise ValueError(f"{path}: rule {rule.name!r}: bad verdict or scope")
        if rule.relevant and rule.scope == "text":
            raise ValueError(f"{path}: rule {rule.name!r}: words anywhere never let an item in")
        if unknown := (rule.all | rule.none) - known:
            raise ValueError(f"{path}: rule {rule.name!r} names unknown groups {sorted(unknown)}")
        rules.append(rule)
    roles = data.get("roles", {})
    keys = ("partners", "foreign", "topic", "ties")
    sets = {key: frozenset(roles.get(key, ())) for key in keys}
    for key, groups in sets.items():
        if unknown := groups - known:
            raise ValueError(f"{path}: roles.{key} names unknown groups {sorted(unknown)}")
    return Relevance(terms, rules, sets["partners"], sets["foreign"], sets["topic"], sets["ties"])


@cache
def default() -> Relevance:
    return load()
