"""The one token bucket: pacing of sends (bot.delivery.pacing) and per-user flood control
(bot.flood) both count tokens that refill at a rate up to a burst."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up; `pause_for` stops it (a 429).

    It starts with one token (`tokens` says otherwise: a user's flood bucket starts full).
    """

    __slots__ = ("_clock", "_paused_until", "_stamp", "_tokens", "burst", "rate")

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        tokens: float = 1.0,
    ) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self._clock = clock
        self._tokens = min(self.burst, tokens)
        self._stamp = clock()
        self._paused_until = 0.0

    def wait(self) -> float:
        """Seconds until a send may go (0 when one may go now)."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        missing = 1.0 - self._tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate  # float sums fall short

    def take(self) -> None:
        self._tokens -= 1.0

    def pause_for(self, seconds: float) -> None:
        until = self._clock() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self._tokens = 0.0
            self._stamp = until
