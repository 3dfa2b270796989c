"""Pacing sends under Telegram's limits: one bucket for the whole bot, a spacing per chat.

Telegram counts messages in sliding windows (about 30 per second overall, 1 per second per
private chat, 20 per minute per group or channel: every chat that is not private is spaced
as a group). Requests reach it a little earlier or later than they left, so the bot aims a
few percent under each limit (HEADROOM) and never sends a burst that could fill a window by
itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.config import DeliveryLimits
from bot.tokenbucket import TokenBucket

HEADROOM = 0.965  # the share of each limit the bot aims at
# Tokens the global bucket may save up: a tenth of one, so a late wake-up of the event loop
# (about a millisecond per send) is caught up instead of lost, or a hundredth of a second's
# quota at high rates. Either way a sliding second holds less than the limit, with room for
# requests that reach Telegram unevenly: at 30/s the 31st send leaves 1.033 s after the 1st,
# at 1000/s the busiest second holds 975.
MIN_BURST = 1.1
BURST_SHARE = 0.01
_PRUNE_EVERY = 10_000

__all__ = ["HEADROOM", "ChatPacer", "TokenBucket", "global_bucket"]


class ChatPacer:
    """The earliest time the next message may go to each chat."""

    def __init__(self, limits: DeliveryLimits, clock: Callable[[], float] = time.monotonic):
        self._private = 1.0 / (limits.private_per_second * HEADROOM)
        self._group = 60.0 / (limits.group_per_minute * HEADROOM)
        self._clock = clock
        self._next: dict[int, float] = {}
        self._since_prune = 0

    def interval(self, chat_type: str) -> float:
        return self._private if chat_type == "private" else self._group

    def wait(self, chat_id: int) -> float:
        return max(0.0, self._next.get(chat_id, 0.0) - self._clock())

    def sent(self, chat_id: int, chat_type: str) -> None:
        self._next[chat_id] = self._clock() + self.interval(chat_type)
        self._since_prune += 1
        if self._since_prune >= _PRUNE_EVERY:
            self._prune()

    def hold(self, chat_id: int, seconds: float) -> None:
        """Nothing to this chat for `seconds` (its own 429)."""
        self._next[chat_id] = max(self._next.get(chat_id, 0.0), self._clock() + seconds)

    def _prune(self) -> None:
        # A broadcast touches each chat once; forget the chats whose spacing has passed.
        now = self._clock()
        self._next = {chat: at for chat, at in self._next.items() if at > now}
        self._since_prune = 0


def global_bucket(
    limits: DeliveryLimits, clock: Callable[[], float] = time.monotonic
) -> TokenBucket:
    rate = limits.overall_per_second
    return TokenBucket(rate * HEADROOM, max(MIN_BURST, rate * BURST_SHARE), clock)
