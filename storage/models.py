"""Typed rows handed out by the repositories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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


class DeliveryStatus(StrEnum):
    """Where one (update, chat) delivery stands; only `pending` rows are sent."""

    PENDING = "pending"
    PAUSED = "paused"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the chat blocked the bot or is gone
    CANCELLED = "cancelled"  # withdrawn by an admin, or the chat unsubscribed


@dataclass(frozen=True, slots=True)
class UpdateRecord:
    """An announced update and its texts (language -> Telegram HTML body)."""

    id: int
    kind: str
    texts: dict[str, str]
    article_id: int | None
    milestone_id: int | None
    created_by: int | None
    created_at: str


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A pending delivery the worker may send now, with what it needs about the chat."""

    id: int
    update_id: int
    chat_id: int
    chat_type: str
    language: str
    attempts: int
    parts_sent: int
    message_id: int | None
    due_at: float | None  # set for digest deliveries

    @property
    def digest(self) -> bool:
        return self.due_at is not None


@dataclass(frozen=True, slots=True)
class SentDelivery:
    chat_id: int
    message_id: int  # the first message; a long text went out as `parts` messages
    language: str
    parts: int = 1
    digest: bool = False  # the message bundled several updates
    chat_type: str = "private"  # a channel's message is framed as a post (bot.delivery.publishing)


@dataclass(frozen=True, slots=True)
class QueuedFix:
    """A delivered message still to fix after its update was corrected (storage.corrections)."""

    delivery_id: int
    revision: int  # the correction it is queued for; a newer one queues it again
    message: SentDelivery


@dataclass(frozen=True, slots=True)
class FinishedCorrection:
    """Every message of a corrected update fixed: who asked, and how each one ended."""

    update_id: int
    admin_id: int
    outcomes: dict[str, int]
    withdrawn: bool = False  # the fix was the note that the post was withdrawn


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    pending: int = 0
    paused: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.paused + self.sent + self.failed + self.skipped + self.cancelled


@dataclass(frozen=True, slots=True)
class ErrorCount:
    error: str
    count: int


@dataclass(frozen=True, slots=True)
class DigestSlot:
    """The next occurrence (Unix seconds) of a digest time; weekday -1 for daily ones."""

    mode: Mode
    weekday: int
    hour: int
    due_at: float


# ---------------------------------------------------------------------- admin features


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action (or a refused attempt): who, what, about what, when."""

    id: int
    at: str  # ISO 8601 UTC
    user_id: int
    action: str
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class PostText:
    """One language of an admin's post, as typed: Telegram HTML, and the milestone's place
    (a language the admin skipped may still have its place, with an empty body)."""

    body: str
    place: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """An update an admin published, with what they typed and chose."""

    update_id: int
    kind: str  # "news" | "milestone"
    token: str
    texts: dict[str, PostText]
    stage: int | None
    happened_on: dt.date | None
    source_url: str | None
    created_by: int | None
    created_at: str
    edited_at: str | None
    withdrawn_at: str | None
    places: dict[str, str] = field(default_factory=dict)  # every language's place (milestones)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def place(self, language: str) -> str:
        """The milestone's place in `language`, else in another language."""
        return self.places.get(language) or next(iter(self.places.values()), "")


@dataclass(frozen=True, slots=True)
class ChatCount:
    """How many chats share a language, subscription mode and state."""

    language: str
    mode: Mode
    state: ChatState
    count: int


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
