"""Delivery: updates, their per-chat rows, corrections and digest slots."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.models.chats import Mode


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
class UpdateProgress:
    """An update as the admins' screens list it: what and when, how its deliveries stand,
    and (when asked for) their most common errors, most frequent first."""

    id: int
    kind: str
    created_at: str
    counts: DeliveryCounts
    errors: tuple[ErrorCount, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestSlot:
    """The next occurrence (Unix seconds) of a digest time; weekday -1 for daily ones."""

    mode: Mode
    weekday: int
    hour: int
    due_at: float
