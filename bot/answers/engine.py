"""Answering a plain question: language, intents, full-text search over facts, then articles.

The facts are few, so everything about them (texts in every language, sources, the index's
words) is kept in memory and reloaded only when the database says they changed; a question
costs one indexed version read, one FTS5 query over the facts and, only when no fact answers
it, one over the articles.

Ranking: every searched word weighs by how rare it is among the facts (idf); a fact scores the
weight of the words it contains, a keyword hit counting half again. A fact answers when it
covers at least half the question's weight. Nothing is ever made up: an answer is stored
facts with their sources, the stored status, stored articles, or a plain "not found".
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot import phrasing
from bot.answers import intents
from bot.answers.language import Guess, answer_language, guess
from bot.answers.tables import Intent, Tables, WordSet, load_tables
from bot.answers.text import Token, fold, fts_query, kazakh_from_latin, tokenize
from bot.answers.vocabulary import Expansion, Vocabulary, merge
from bot.i18n import FALLBACK, LANGUAGES
from storage import Store
from storage.models import Article, Fact, SearchHit
from storage.questions import Phrasing

log = logging.getLogger(__name__)

MAX_FACTS = 3
MAX_ARTICLES = 3
MIN_COVERAGE = 0.55  # share of the question's weight a fact must contain to answer it
CLOSE_SCORE = 0.75  # further facts are shown when they score this close to the best
KEYWORD_BONUS = 0.5
TOPIC_BONUS = 0.25  # for facts of a topic the question hints at (data.toml [hints])
INTENT_BONUS = 0.25  # for facts of an intent whose pattern matched among other words
INTENT_SLACK = 0.15  # ... which then answer with this much less coverage
FACT_HITS = 200  # every row of a small fact index
VERSION_CHECK_SECONDS = 30.0  # also re-read at once after this process writes content
OVERVIEW_FACTS = 3


class AnswerKind(StrEnum):
    FACTS = "facts"  # stored facts, each with its source and date
    STATUS = "status"  # the current stage of the talks (then any facts)
    ARTICLES = "articles"  # no fact answers it; stored articles that mention it
    NEWS = "news"  # the latest stored articles
    NOTHING = "nothing"  # about the talks, but no source says: said plainly, with the commands
    REPLY = "reply"  # small talk (hello, thanks) answered in kind
    COMMAND = "command"  # a plain word for a command (`подписаться`): the handler runs it
    OUTSIDE = "outside"  # not what the bot follows (weather, US visas): said politely


@dataclass(frozen=True)
class Answer:
    language: str
    kind: AnswerKind
    facts: tuple[Fact, ...] = ()
    articles: tuple[Article, ...] = ()
    note: str | None = None  # catalogue key of an explanation shown before the facts, or of
    # the whole reply to small talk
    reached: int | None = None  # the stage the question asks about ("is it signed yet")
    intent: str | None = None
    command: str | None = None  # for COMMAND: the command's name, without the slash
    guess: Guess | None = field(default=None, compare=False)

    @property
    def top(self) -> str | None:
        """What the answer puts first: "status", a fact key, or None."""
        if self.kind is AnswerKind.STATUS:
            return "status"
        return self.facts[0].key if self.facts else None


@dataclass(frozen=True)
class Snapshot:
    """The facts as the answer service sees them, for one version of the index."""

    version: int
    facts: Mapping[str, Mapping[int, Fact]]  # language -> fact id -> fact in that language
    ids: Mapping[str, int]  # fact key -> id
    order: Mapping[int, int]  # fact id -> place in the seed order (importance)
    vocabulary: Vocabulary
    synonyms: Sequence[tuple[WordSet, Expansion]]  # each group and what it finds
    phrasings: Sequence[Phrasing] = ()  # questions the editors tied to a fact (/questions)

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class _Reading:
    """A question's words: what each stands for and what kind of word it is."""

    expansions: list[Expansion]
    stop: list[bool]  # function words (and single letters)
    context: list[bool]  # words naming the talks themselves
    guess: Guess

    @property
    def forms(self) -> list[frozenset[str]]:
        return [e.forms for e in self.expansions]

    @property
    def content(self) -> list[bool]:
        """Words that say what the question is about."""
        return [not s and not c for s, c in zip(self.stop, self.context, strict=True)]


@dataclass(frozen=True)
class _Term:
    """One searched word of the question."""

    expansion: Expansion
    weight: float


class Answerer:
    """Answers questions from the store; create once, share between updates."""

    def __init__(self, store: Store, tables: Tables | None = None) -> None:
        self.store = store
        self.tables = tables or load_tables()
        self._stopwords = frozenset().union(*self.tables.stopwords.values())
        self._snapshot: Snapshot | None = None
        self._checked_at = -math.inf
        self._content_version = -1
        self._lock = asyncio.Lock()

    async def snapshot(self) -> Snapshot:
        """The in-memory facts, reloaded when the index version moved.

        The version is read after any content write of this process (Db.content_version, no
        query) and at least every 30 s for writes of other processes.
        """
        current = self._snapshot
        fresh = time.monotonic() - self._checked_at < VERSION_CHECK_SECONDS
        if current is not None and fresh and self._content_version == self.store.db.content_version:
            return current
        async with self._lock:
            content_version = self.store.db.content_version
            version = await self.store.search.fact_index_version()
            self._checked_at = time.monotonic()
            self._content_version = content_version
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = await self._load(version)
            return self._snapshot

    async def overview(self, language: str) -> Answer:
        """For an empty inline query: the status and the most important facts."""
        snapshot = await self.snapshot()
        language = language if language in LANGUAGES else FALLBACK
        facts = sorted(snapshot.facts[language].values(), key=lambda f: snapshot.order[f.id])
        return Answer(language, AnswerKind.STATUS, tuple(facts[:OVERVIEW_FACTS]), intent="overview")

    async def facts_by_id(self, ids: Sequence[int], language: str) -> tuple[Fact, ...]:
        """The stored facts with these ids, in this order (unknown or retired ones left out)."""
        snapshot = await self.snapshot()
        facts = snapshot.facts.get(language, {})
        return tuple(facts[i] for i in ids if i in facts)

    async def _load(self, version: int) -> Snapshot:
        started = time.perf_counter()
        facts = {lang: {f.id: f for f in await self.store.facts.active(lang)} for lang in LANGUAGES}
        terms = await self.store.search.fact_terms()
        vocabulary = Vocabulary(terms, self.tables.known_words(), self.tables.stemmer)
        ids = {fact.key: fact.id for fact in facts[LANGUAGES[0]].values()}
        order = {fact_id: place for place, fact_id in enumerate(facts[LANGUAGES[0]])}
        synonyms = [(group, vocabulary.expand_words(group)) for group in self.tables.synonyms]
        log.info(
            "fact index loaded: %d facts, %d words, %.0f ms",
            len(ids), len(vocabulary), (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        phrasings = tuple(await self.store.questions.phrasings())
        return Snapshot(version, facts, ids, order, vocabulary, synonyms, phrasings)

    async def answer(self, question: str, chat_language: str) -> Answer:
        """The answer to `question`, in the chat's language unless the question is clearly
        in another; never raises on any text."""
        snapshot = await self.snapshot()
        chat_language = chat_language if chat_language in LANGUAGES else FALLBACK
        reading = self._read(snapshot, question)
        language = answer_language(reading.guess, chat_language)
        found = await self._answer(snapshot, question, reading, language)
        return replace(found, guess=reading.guess)

    async def _answer(
        self, snapshot: Snapshot, question: str, reading: _Reading, language: str
    ) -> Answer:
        if editors := self._editors_fact(snapshot, question, language):  # /questions
            return Answer(language, AnswerKind.FACTS, editors, intent="editors")
        # Another country's visas are not these talks, whatever else the question says.
        if self._names(reading, "foreign") and not self._names(reading, "eu"):
            return Answer(language, AnswerKind.OUTSIDE, intent="foreign")
        about_talks = any(reading.context)
        # Exchange rates, weather...: with no word of visas or the talks, whatever it asks
        # (`курс евро` is not a fee question).
        if not about_talks and self._names(reading, "outside"):
            return Answer(language, AnswerKind.OUTSIDE, intent="outside")
        matching = intents.match(self.tables, reading.forms, reading.content)
        if matching.best is not None:
            answer = await self._intent_answer(snapshot, matching.best.intent, language)
            if answer is not None:
                return answer
        if self._names(reading, "outside"):
            return Answer(language, AnswerKind.OUTSIDE, intent="outside")
        if not any(reading.content):
            if about_talks:
                # Only words naming the talks ("визы", "eu visa talks"): where they stand.
                return Answer(language, AnswerKind.STATUS, intent="talks")
            return Answer(language, AnswerKind.NOTHING)
        facts = await self._search_facts(snapshot, reading, matching, language)
        if facts:
            return Answer(language, AnswerKind.FACTS, facts)
        articles = await self._search_articles(reading)
        if articles:
            return Answer(language, AnswerKind.ARTICLES, articles=articles)
        # Nothing found and nothing said of the talks: not a question the bot follows.
        return Answer(language, AnswerKind.NOTHING if about_talks else AnswerKind.OUTSIDE)

    async def _intent_answer(
        self, snapshot: Snapshot, intent: Intent, language: str
    ) -> Answer | None:
        if intent.command:
            return Answer(language, AnswerKind.COMMAND, intent=intent.name, command=intent.command)
        if intent.reply:
            return Answer(language, AnswerKind.REPLY, note=intent.reply, intent=intent.name)
        if intent.news:
            latest = await self.store.articles.latest(MAX_ARTICLES, prefer=language)
            return Answer(language, AnswerKind.NEWS, articles=tuple(latest), intent=intent.name)
        facts = self._facts_by_key(snapshot, intent.facts, language)
        if not (intent.status or facts):
            return None
        kind = AnswerKind.STATUS if intent.status else AnswerKind.FACTS
        return Answer(
            language, kind, facts, note=intent.note, reached=intent.reached, intent=intent.name
        )

    def _names(self, reading: _Reading, word_class: str) -> bool:
        """Whether a word of the question, or two in a row (`us+visa`), is of the class."""
        words = self.tables.classes[word_class]
        forms = reading.forms
        pairs = (f"{a}+{b}" for one, two in itertools.pairwise(forms) for a in one for b in two)
        return any(words.matches(w) for f in forms for w in f) or any(map(words.matches, pairs))

    def _editors_fact(self, snapshot: Snapshot, question: str, language: str) -> tuple[Fact, ...]:
        """The fact the editors tied to a question like this one (/questions), if any."""
        if not snapshot.phrasings:
            return ()
        asked = phrasing.signature(question, self.tables)
        if not asked:
            return ()
        scored = [(phrasing.similarity(asked, p.signature), p.fact_id) for p in snapshot.phrasings]
        best = max(scored, default=(0.0, 0))
        fact = snapshot.facts[language].get(best[1])
        return (fact,) if fact is not None and best[0] >= phrasing.SAME_QUESTION else ()

    def _read(self, snapshot: Snapshot, question: str) -> _Reading:
        tokens = [self._as_kazakh(snapshot, t) for t in tokenize(question)]
        expansions = [snapshot.vocabulary.expand(t) for t in tokens]
        # One letter alone is an initial, a stray key or the `s` of `what's`: never a topic.
        stop = [t.folded in self._stopwords or len(t.folded) == 1 for t in tokens]
        context = [any(self.tables.context.matches(w) for w in e.forms) for e in expansions]
        return _Reading(
            expansions=expansions,
            stop=stop,
            context=context,
            guess=guess(tokens, expansions, self.tables.stopwords),
        )

    def _as_kazakh(self, snapshot: Snapshot, token: Token) -> Token:
        """A Latin word nobody writes in English, read as Kazakh typed in Latin letters
        (`qashan`, `vizasyz`) when that reading is a word the data or the facts know."""
        if token.script != "latin" or self.tables.knows(token.folded):
            return token
        if snapshot.vocabulary.expand(token).facts:
            return token
        cyrillic = kazakh_from_latin(token.word)
        if cyrillic is None:
            return token
        # Spelled folded: a Latin `i` is no evidence of Kazakh `і` for the language guess.
        kazakh = Token(fold(cyrillic), fold(cyrillic), "cyrillic")
        if self.tables.knows(kazakh.folded) or snapshot.vocabulary.expand(kazakh).facts:
            return kazakh
        return token

    async def _search_facts(
        self, snapshot: Snapshot, reading: _Reading, matching: intents.Matching, language: str
    ) -> tuple[Fact, ...]:
        # Words naming the talks are in nearly every fact: they would only blur the ranking.
        searched = _unique(
            [e for e, c in zip(reading.expansions, reading.content, strict=True) if c]
        )
        terms = self._terms(snapshot, searched)
        hits = await self.store.search.match_facts(
            fts_query([t.expansion.prefixes for t in terms], every=False), FACT_HITS
        )
        topics = {
            topic
            for words, topic in self.tables.hints
            if any(words.matches(w) for forms in reading.forms for w in forms)
        }
        # A common question among other words: its facts are favoured, but only when the
        # question names the talks (`cheaper visas for ...`, not `сколько стоит хлеб`).
        near = matching.near if any(reading.context) else ()
        favoured = {snapshot.ids[k] for i in near for k in i.facts if k in snapshot.ids}
        return self._rank(snapshot, terms, hits, language, topics, favoured)

    async def _search_articles(self, reading: _Reading) -> tuple[Article, ...]:
        """Articles with every searched word (the talks' own words too: `визы` narrows)."""
        wanted = [e for e, s in zip(reading.expansions, reading.stop, strict=True) if not s]
        hits = await self.store.search.match_articles(
            fts_query([e.prefixes for e in _unique(wanted)], every=True), MAX_ARTICLES
        )
        found = [await self.store.articles.get(hit.id) for hit in hits]
        return tuple(a for a in found if a is not None)

    def _facts_by_key(
        self, snapshot: Snapshot, keys: Sequence[str], language: str
    ) -> tuple[Fact, ...]:
        facts = []
        for key in keys:
            fact_id = snapshot.ids.get(key)
            if fact_id is None:
                log.warning("intent names fact %r, which is not stored (or retired)", key)
                continue
            facts.append(snapshot.facts[language][fact_id])
        return tuple(facts)

    def _terms(self, snapshot: Snapshot, expansions: Sequence[Expansion]) -> list[_Term]:
        """The searched words, widened by their synonyms, each weighed by its rarity.

        The weight comes from the word as typed when the facts use it (a synonym group must
        not make `trading` common); a word no fact uses weighs as one that one fact uses: it is
        as often a verb the lists missed (`собирать`) as the real subject (`погода`).
        """
        size = snapshot.size
        terms = []
        for expansion in expansions:
            groups = [
                found
                for group, found in snapshot.synonyms
                if any(group.matches(w) for w in expansion.forms)
            ]
            widened = merge(expansion, groups) if groups else expansion
            if not widened.prefixes:
                continue
            used_by = len(expansion.facts) or len(widened.facts) or 1
            terms.append(_Term(widened, math.log((size + 1) / (used_by + 0.5))))
        return terms

    def _rank(
        self,
        snapshot: Snapshot,
        terms: Sequence[_Term],
        hits: Sequence[SearchHit],
        language: str,
        topics: set[str],
        favoured: set[int],
    ) -> tuple[Fact, ...]:
        total = sum(t.weight for t in terms)
        if total <= 0:
            return ()
        best_bm25: dict[int, float] = {}
        for hit in hits:
            best_bm25[hit.id] = min(hit.score, best_bm25.get(hit.id, 0.0))
        scored = []
        for fact_id, bm25 in best_bm25.items():
            fact = snapshot.facts[language].get(fact_id)
            if fact is None:
                continue  # retired or added since the snapshot; the next version check sees it
            covered = sum(t.weight for t in terms if fact_id in t.expansion.facts)
            score = sum(
                t.weight * (1 + KEYWORD_BONUS * (fact_id in t.expansion.keyword_facts))
                for t in terms
                if fact_id in t.expansion.facts
            )
            if fact.topic in topics:
                score *= 1 + TOPIC_BONUS
            needed = MIN_COVERAGE
            if fact_id in favoured:
                score *= 1 + INTENT_BONUS
                needed -= INTENT_SLACK
            if covered / total >= needed:
                # Ties go to the more important fact (seed order), then to FTS5's bm25.
                scored.append((score, -snapshot.order[fact_id], -bm25, fact_id))
        scored.sort(reverse=True)
        if not scored:
            return ()
        best = scored[0][0]
        return tuple(
            snapshot.facts[language][fact_id]
            for score, _, _, fact_id in scored[:MAX_FACTS]
            if score >= CLOSE_SCORE * best
        )


def _unique(expansions: list[Expansion]) -> list[Expansion]:
    """Each searched word once: `виза виза виза` weighs as one word."""
    seen: set[frozenset[str]] = set()
    unique = []
    for expansion in expansions:
        if expansion.prefixes not in seen:
            seen.add(expansion.prefixes)
            unique.append(expansion)
    return unique
