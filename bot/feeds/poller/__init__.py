"""Polling feeds: when each is due, one check from fetch to announcement, and the backoff.

The schedule lives in SQLite (feeds.next_check_at, error_count, validators), so a restart
picks up where it stopped. python-telegram-bot's JobQueue only supplies the heartbeat: every
TICK it calls `start_due`, which starts one task per due feed that is not already being
checked. A slow feed therefore never holds up the others, and no feed is checked twice at once.

One check, and the order that makes it idempotent:
1. fetch (conditional GET) and parse off the event loop; a failure is classified, recorded on
   the feed and backed off; nothing else changes.
2. in ONE transaction: new relevant items go into `articles` (deduplicated there across feeds
   and seeds too) and into `feed_pending`, the near misses into `feed_kept_out` (for /feeds),
   every new item's key into `feed_seen`, and the feed's validators and next check are saved.
   A crash before COMMIT leaves no trace (the validators were not saved either, so the next
   check fetches the same items again).
3. when the round is over (no check in flight, no feed due within ROUND_HOLD), in ONE
   transaction: the pending articles are taken and `announce` is awaited with all of them, so
   its outbox rows join that transaction: subscribers get one message per round, not one per
   feed. A crash or a failed announcement leaves them pending for the next round. An item is
   thus neither announced twice nor lost, and `announce` must only write through the store.

Feeds come due spread over the first JITTER of the interval, so one round's checks start in a
few ticks; the announcement waits for the last of them (at most MAX_HOLD).

Its modules: `schedule` (when), `check` (steps 1 and 2), `rounds` (the Poller: ticks, rounds
and step 3), `kept_out` (an admin letting a near miss in).
"""

from bot.feeds.poller.check import AlertAdmins, CheckResult
from bot.feeds.poller.rounds import FETCH_CONCURRENCY, Clock, Poller, utcnow
from bot.feeds.poller.schedule import JITTER, ROUND_HOLD, TICK

__all__ = [
    "FETCH_CONCURRENCY",
    "JITTER",
    "ROUND_HOLD",
    "TICK",
    "AlertAdmins",
    "CheckResult",
    "Clock",
    "Poller",
    "utcnow",
]
