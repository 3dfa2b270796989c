"""Telegram's errors, grouped by what the bot does about them. The only place that reads them.

    FLOOD        429: wait `retry_after`, send again; not a failed attempt
    MIGRATE      the group became a supergroup: move the chat to `new_chat_id`, send there
    BLOCKED      403 (blocked by the user, deactivated, kicked), or 400 when a channel took
                 the bot's right to post: stop writing to the chat
    GONE         400 chat not found: the chat does not exist for us any more
    RETRY_LATER  5xx, timeouts, connection errors: back off and retry, a bounded number of times
    BAD_TEXT     400 about the text itself (bad HTML, too long, empty): no chat will take it
    PERMANENT    anything else (a bad token, ...): retrying cannot help

python-telegram-bot already turns `retry_after` and `migrate_to_chat_id` into exception
types; only "chat not found" has to be recognised from Telegram's description.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from enum import Enum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

# BadRequest descriptions that mean the chat is not there (Telegram's wording varies).
_GONE_MARKERS = ("chat not found", "peer_id_invalid", "user not found", "chat_id_invalid")
# BadRequest descriptions that mean the bot may not post there (a channel that took its
# administrator rights away): like a block, nothing more can go to the chat.
_NO_RIGHTS_MARKERS = ("need administrator rights", "not enough rights to send")
# BadRequest descriptions that blame the message, whoever it goes to.
_TEXT_MARKERS = ("can't parse entities", "message is too long", "message text is empty")


class Action(Enum):
    FLOOD = "flood"
    MIGRATE = "migrate"
    BLOCKED = "blocked"
    GONE = "gone"
    RETRY_LATER = "retry-later"
    BAD_TEXT = "bad-text"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Verdict:
    action: Action
    error: str  # Telegram's description, kept for admins
    retry_after: float = 0.0
    new_chat_id: int | None = None


def retry_after_seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds, whichever type this PTB version hands out."""
    with warnings.catch_warnings():
        # PTB 22 warns that the int will become a timedelta; both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def classify(exc: TelegramError) -> Verdict:
    """What to do about `exc`, raised by a Bot API call about one chat."""
    error = exc.message[:500]
    if isinstance(exc, RetryAfter):
        return Verdict(Action.FLOOD, error, retry_after=max(retry_after_seconds(exc), 0.0))
    if isinstance(exc, ChatMigrated):
        return Verdict(Action.MIGRATE, error, new_chat_id=exc.new_chat_id)
    if isinstance(exc, Forbidden):
        return Verdict(Action.BLOCKED, error)
    # BadRequest is a NetworkError subclass in PTB: test it before the retryable ones.
    if isinstance(exc, BadRequest):
        lowered = error.lower()
        if any(marker in lowered for marker in _GONE_MARKERS):
            return Verdict(Action.GONE, error)
        if any(marker in lowered for marker in _NO_RIGHTS_MARKERS):
            return Verdict(Action.BLOCKED, error)
        if any(marker in lowered for marker in _TEXT_MARKERS):
            return Verdict(Action.BAD_TEXT, error)
        return Verdict(Action.PERMANENT, error)
    if isinstance(exc, TimedOut | NetworkError):
        return Verdict(Action.RETRY_LATER, error or type(exc).__name__)
    return Verdict(Action.PERMANENT, error)


def not_modified(exc: TelegramError) -> bool:
    """An edit that would change nothing: Telegram refuses it, and nothing needs doing."""
    return isinstance(exc, BadRequest) and "not modified" in exc.message.lower()
