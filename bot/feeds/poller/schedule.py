"""When feeds are checked: the heartbeat, the interval with each feed's fixed offset, the
backoff after failures, and how long a round waits for its last feed."""

from __future__ import annotations

import datetime as dt
import zlib

from bot.config import FeedOptions
from storage.models import Feed

TICK = dt.timedelta(seconds=30)
JITTER = 0.05  # share of the interval by which feeds are spread, so they do not all come due
ROUND_HOLD = TICK + dt.timedelta(seconds=5)  # a feed due this soon belongs to the same round


class Schedule:
    def __init__(self, options: FeedOptions) -> None:
        self.options = options

    @property
    def interval(self) -> dt.timedelta:
        return max(self.options.interval, self.options.min_interval)

    @property
    def max_hold(self) -> dt.timedelta:
        """The longest an item waits for the rest of its round."""
        return self.interval * JITTER + 2 * TICK

    def backoff(self, failures: int) -> dt.timedelta:
        """The wait after `failures` failures in a row: the interval, doubled each time, capped."""
        factor: int = 2 ** min(max(failures - 1, 0), 32)
        return min(self.interval * factor, self.options.max_backoff)

    def next_check(self, feed: Feed, now: dt.datetime) -> dt.datetime:
        # A fixed per-feed offset spreads feeds added together over the interval's first 5 %.
        spread = (zlib.crc32(feed.url.encode()) % 1000) / 1000 * JITTER
        return now + self.interval * (1 + spread)
