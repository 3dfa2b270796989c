"""Typed rows handed out by the repositories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    """How a chat wants updates."""

    OFF = "off"
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


class ChatState(StrEnum):
    """Whether Telegram still lets us write to the chat."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: str
    language: str
    language_chosen: bool
    mode: Mode
    digest_hour: int
    digest_weekday: int
    state: ChatState
    first_seen: str
    last_seen: str


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
class Feed:
    """A polled feed with its schedule and health; times are aware UTC datetimes."""

    id: int
    url: str
    origin: str  # "config" (FEEDS setting) or "admin" (/feeds add)
    title: str | None
    etag: str | None
    last_modified: str | None
    next_check_at: dt.datetime
    last_checked_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_new_at: dt.datetime | None
    error_count: int
    last_problem: str | None
    last_detail: str | None
    failing_since: dt.datetime | None
    alerted_at: dt.datetime | None
    items_stored: int
    items_skipped: int
