"""Content: articles, their facts and milestones, as answers and admins read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    origin: str
    source: str
    url: str | None
    language: str
    title: str
    body: str
    author: str | None
    published_at: str

    @property
    def published_date(self) -> dt.date:
        return dt.date.fromisoformat(self.published_at[:10])


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact or milestone comes from: shown beside it."""

    name: str
    url: str | None
    published: dt.date


@dataclass(frozen=True, slots=True)
class Fact:
    id: int
    key: str
    topic: str
    language: str  # language of `text` (the asked one, or a fallback)
    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class FactTerm:
    """One word of the fact index: where it occurs (language '' for a fact's keywords)."""

    term: str
    fact_id: int
    language: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A full-text match: the fact or article id and its bm25 score (lower is better)."""

    id: int
    language: str
    score: float


@dataclass(frozen=True, slots=True)
class Milestone:
    id: int
    key: str
    stage: int
    happened_on: dt.date
    language: str
    place: str
    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class FactRecord:
    """A fact as admins edit it: every language it has, retired or not."""

    id: int
    key: str
    topic: str
    article_id: int
    texts: dict[str, str]
    retired: bool
    source: Source
    edited_by: int | None


@dataclass(frozen=True, slots=True)
class FactsPage:
    """One page of the admins' list of facts, with what the whole list holds."""

    facts: tuple[FactRecord, ...]  # in /facts order
    page: int  # the page asked for, brought within 1..pages
    pages: int
    active: int  # facts on the list not retired
    retired: int  # retired facts on the list (0 when the list leaves them out)
