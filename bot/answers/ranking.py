"""Ranking the facts a search found: every searched word weighs by how rare it is among the
facts (idf); a fact scores the weight of the words it contains, a keyword hit counting half
again, and answers when it covers enough of the question's weight."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answers.snapshot import Snapshot
from bot.answers.vocabulary import Expansion, merge
from storage.models import Fact, SearchHit

MAX_FACTS = 3
MIN_COVERAGE = 0.55  # share of the question's weight a fact must contain to answer it
CLOSE_SCORE = 0.75  # further facts are shown when they score this close to the best
KEYWORD_BONUS = 0.5
TOPIC_BONUS = 0.25  # for facts of a topic the question hints at (data.toml [hints])
INTENT_BONUS = 0.25  # for facts of an intent whose pattern matched among other words
INTENT_SLACK = 0.15  # ... which then answer with this much less coverage


@dataclass(frozen=True)
class Term:
    """One searched word of the question."""

    expansion: Expansion
    weight: float


def terms(snapshot: Snapshot, expansions: Sequence[Expansion]) -> list[Term]:
    """The searched words, widened by their synonyms, each weighed by its rarity.

    The weight comes from the word as typed when the facts use it (a synonym group must
    not make `trading` common); a word no fact uses weighs as one that one fact uses: it is
    as often a verb the lists missed (`собирать`) as the real subject (`погода`).
    """
    size = snapshot.size
    found = []
    for expansion in expansions:
        groups = [
            widened
            for group, widened in snapshot.synonyms
            if any(group.matches(w) for w in expansion.forms)
        ]
        widened = merge(expansion, groups) if groups else expansion
        if not widened.prefixes:
            continue
        used_by = len(expansion.facts) or len(widened.facts) or 1
        found.append(Term(widened, math.log((size + 1) / (used_by + 0.5))))
    return found


def rank(
    snapshot: Snapshot,
    searched: Sequence[Term],
    hits: Sequence[SearchHit],
    language: str,
    topics: set[str],
    favoured: set[int],
) -> tuple[Fact, ...]:
    """The best facts among the hits, best first, those close to the best only."""
    total = sum(t.weight for t in searched)
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
        covered = sum(t.weight for t in searched if fact_id in t.expansion.facts)
        score = sum(
            t.weight * (1 + KEYWORD_BONUS * (fact_id in t.expansion.keyword_facts))
            for t in searched
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


def unique(expansions: list[Expansion]) -> list[Expansion]:
    """Each searched word once: `виза виза виза` weighs as one word."""
    seen: set[frozenset[str]] = set()
    kept = []
    for expansion in expansions:
        if expansion.prefixes not in seen:
            seen.add(expansion.prefixes)
            kept.append(expansion)
    return kept
