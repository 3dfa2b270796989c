"""Per-user flood control: a token bucket per user, in memory.

Each update a user sends takes a token; tokens refill at `FloodLimits.per_second` up to
`burst`. The first update over the limit gets one "slow down" notice, the rest are dropped
until a token is back. Only that user is slowed: the cost of a dropped update is a dict
lookup, so everyone else's updates stay fast even while one user floods.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from enum import Enum

from bot.config import FloodLimits
from bot.tokenbucket import TokenBucket

_MAX_USERS = 100_000  # least recently seen users beyond this are forgotten (a full bucket)


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # over the limit: say so once
    DROP = "drop"  # still over the limit: ignore


class _UserBucket(TokenBucket):
    """A user's bucket, which also remembers whether the "slow down" notice went out."""

    __slots__ = ("warned",)

    def __init__(self, limits: FloodLimits, clock: Callable[[], float]) -> None:
        super().__init__(limits.per_second, limits.burst, clock, tokens=limits.burst)
        self.warned = False


class FloodGate:
    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: OrderedDict[int, _UserBucket] = OrderedDict()

    def check(self, user_id: int) -> Verdict:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _UserBucket(self.limits, self.clock)
            if len(self._buckets) > _MAX_USERS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(user_id)
        if bucket.wait() == 0.0:
            bucket.take()
            bucket.warned = False
            return Verdict.PASS
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN
