"""Answering a plain question: language, intents, full-text search over facts, then articles.

The facts are few, so everything about them (texts in every language, sources, the index's
words) is kept in memory and reloaded only when the database says they changed; a question
costs one indexed version read, one FTS5 query over the facts and, only when no fact answers
it, one over the articles.

The order of looking (first that answers wins): a phrasing the editors tied to a fact;
another country's visas or a topic the bot does not follow (weather, exchange rates); the
intents of data.toml (commands, visa-free, when, today's fees...); the full-text search over
the facts (ranking.py), then over the articles. Nothing is ever made up: an answer is stored
facts with their sources, the stored status, stored articles, or a plain "not known".
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot import phrasing
from bot.answers import intents, ranking
from bot.answers.language import Guess, answer_language
from bot.answers.reading import Reading, names, read
from bot.answers.snapshot import Snapshot
from bot.answers.tables import Intent, Tables, load_tables
from bot.answers.text import fts_query
from bot.answers.vocabulary import Vocabulary
from bot.i18n import FALLBACK, LANGUAGES
from storage import Store
from storage.models import Article, Fact

log = logging.getLogger(__name__)

MAX_ARTICLES = 3
FACT_HITS = 200  # every row of a small fact index
VERSION_CHECK_SECONDS = 30.0  # also re-read at once after this process writes content
OVERVIEW_FACTS = 3
GENERAL = "general"  # the intent that says where the talks stand (data.toml)


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


class Answerer:
    """Answers questions from the store; create once, share between updates."""

    def __init__(self, store: Store, tables: Tables | None = None) -> None:
        self.store = store
        self.tables = tables or load_tables()
        self._stopwords = frozenset().union(*self.tables.stopwords.values())
        self._general = next(i for i in self.tables.intents if i.name == GENERAL)
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
        reading = read(self.tables, self._stopwords, snapshot, question)
        language = answer_language(reading.guess, chat_language)
        found = await self._answer(snapshot, question, reading, language)
        return replace(found, guess=reading.guess)

    async def _answer(
        self, snapshot: Snapshot, question: str, reading: Reading, language: str
    ) -> Answer:
        if editors := self._editors_fact(snapshot, question, language):  # /questions
            return Answer(language, AnswerKind.FACTS, editors, intent="editors")
        # Another country's visas are not these talks, whatever else the question says.
        foreign = names(self.tables, reading, "foreign", comparisons=False)
        if foreign and not names(self.tables, reading, "eu"):
            return Answer(language, AnswerKind.OUTSIDE, intent="foreign")
        # Words naming the talks, or a topic only they raise (`мультивиза`): never declined.
        about_talks = any(reading.context) or names(self.tables, reading, "about")
        # Exchange rates, weather...: with no word of visas or the talks, whatever it asks
        # (`курс евро` is not a fee question).
        if not about_talks and names(self.tables, reading, "outside"):
            return Answer(language, AnswerKind.OUTSIDE, intent="outside")
        matching = intents.match(self.tables, reading.forms, reading.content)
        if matching.best is not None:
            answer = await self._intent_answer(snapshot, matching.best.intent, language)
            if answer is not None:
                return answer
        if names(self.tables, reading, "outside"):
            return Answer(language, AnswerKind.OUTSIDE, intent="outside")
        if not any(reading.content):
            if about_talks:
                # Only words naming the talks ("визы", "eu visa talks"): where they stand.
                general = await self._intent_answer(snapshot, self._general, language)
                if general is not None:
                    return general
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

    async def _search_facts(
        self, snapshot: Snapshot, reading: Reading, matching: intents.Matching, language: str
    ) -> tuple[Fact, ...]:
        # Words naming the talks are in nearly every fact: they would only blur the ranking.
        searched = ranking.unique(
            [e for e, c in zip(reading.expansions, reading.content, strict=True) if c]
        )
        searched_terms = ranking.terms(snapshot, searched)
        hits = await self.store.search.match_facts(
            fts_query([t.expansion.prefixes for t in searched_terms], every=False), FACT_HITS
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
        return ranking.rank(snapshot, searched_terms, hits, language, topics, favoured)

    async def _search_articles(self, reading: Reading) -> tuple[Article, ...]:
        """Articles with every searched word (the talks' own words too: `визы` narrows)."""
        wanted = [e for e, s in zip(reading.expansions, reading.stop, strict=True) if not s]
        hits = await self.store.search.match_articles(
            fts_query([e.prefixes for e in ranking.unique(wanted)], every=True), MAX_ARTICLES
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
