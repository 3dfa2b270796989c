"""When digests are due: the next occurrence of an hour (and weekday) in the bot's time zone.

There are only 24 daily and 168 weekly digest times, so instead of one job per chat the
schedule is these 192 slots, stored in SQLite with their next occurrence. Publishing copies
a digest chat's slot into its delivery rows; the worker advances a slot once it has passed.
Times are Unix seconds; `Clock` returns the current one (tests inject their own).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from storage import Store
from storage.models import DigestSlot, Mode

Clock = Callable[[], float]
system_clock: Clock = time.time

DAILY = -1  # the weekday of daily slots
PLANNED_IN = "digest_timezone"  # runtime key: the TIMEZONE the queued digests were planned in

log = logging.getLogger(__name__)


def next_occurrence(now: float, tz: ZoneInfo, hour: int, weekday: int = DAILY) -> float:
    """The first `hour`:00 (on `weekday`, 0 = Monday, unless DAILY) strictly after `now`."""
    today = dt.datetime.fromtimestamp(now, tz).date()
    for offset in range(8):
        day = today + dt.timedelta(days=offset)
        if weekday != DAILY and day.weekday() != weekday:
            continue
        at = dt.datetime.combine(day, dt.time(hour), tzinfo=tz).timestamp()
        if at > now:
            return at
    raise AssertionError("a weekday recurs within 8 days")  # pragma: no cover


def next_digest(now: float, tz: ZoneInfo, mode: Mode, hour: int, weekday: int) -> float | None:
    """When a chat with this subscription gets its next digest; None for instant or off."""
    if mode is Mode.DAILY:
        return next_occurrence(now, tz, hour)
    if mode is Mode.WEEKLY:
        return next_occurrence(now, tz, hour, weekday)
    return None


def all_slots(now: float, tz: ZoneInfo) -> list[DigestSlot]:
    """Every digest time with its next occurrence after `now`."""
    slots = [DigestSlot(Mode.DAILY, DAILY, h, next_occurrence(now, tz, h)) for h in range(24)]
    slots += [
        DigestSlot(Mode.WEEKLY, d, h, next_occurrence(now, tz, h, d))
        for d in range(7)
        for h in range(24)
    ]
    return slots


async def replan_if_zone_changed(store: Store, tz: ZoneInfo, now: float) -> int:
    """At start: digests queued under another TIMEZONE move to their hour in `tz`.

    A digest row carries the time it is due, worked out in the zone of its day; without
    this, /settings would promise 09:00 in the new zone and the digest would come at 09:00
    in the old one. Returns how many rows moved.
    """
    planned_in = await store.runtime.get(PLANNED_IN)
    moved = 0
    if planned_in is not None and planned_in != tz.key:
        async with store.db.transaction():
            await store.outbox.set_slots(all_slots(now, tz))
            moved = await store.outbox.replan_digests()
            await store.runtime.put(PLANNED_IN, tz.key)
        log.info(
            "TIMEZONE is now %s (was %s): %s queued digests re-planned", tz.key, planned_in, moved
        )
    elif planned_in is None:
        await store.runtime.put(PLANNED_IN, tz.key)
    return moved
