"""Changing TIMEZONE between runs: digests already queued move to their hour in the new zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.delivery.publishing import Announcement, publish
from storage.models import Mode
from tests.conftest import make_settings
from tests.delivery_helpers import FakeClock, add_subscribers, almaty, run_bot, store_of
from tests.fakebotapi import FakeBotApi

BRUSSELS = ZoneInfo("Europe/Brussels")


async def due_times(
    api: FakeBotApi, database_path: Path, clock: FakeClock, zone: str
) -> dict[int, tuple[float, float]]:
    async with run_bot(make_settings(api, database_path, TIMEZONE=zone), clock) as app:
        rows = await store_of(app).db.fetchall(
            "SELECT chat_id, due_at, next_attempt_at FROM deliveries WHERE status = 'pending'"
        )
    return {int(r[0]): (float(r[1]), float(r[2])) for r in rows}


async def test_queued_digests_follow_a_new_timezone(api: FakeBotApi, database_path: Path) -> None:
    clock = FakeClock(almaty(2025, 12, 3, 8, 0))  # 04:00 in Brussels
    async with run_bot(make_settings(api, database_path), clock) as app:
        store = store_of(app)
        await add_subscribers(store, [5101], mode=Mode.DAILY, hour=9)
        await add_subscribers(store, [5102], mode=Mode.WEEKLY, hour=9, weekday=4)  # Friday
        await publish(store, Announcement("news", {"ru": "Новость"}))
        rows = await store.db.fetchall("SELECT chat_id, due_at FROM deliveries")
        planned = {int(r[0]): float(r[1]) for r in rows}
    assert planned[5101] == almaty(2025, 12, 3, 9, 0).timestamp()

    # The operator moves the bot to Brussels time; nothing was sent meanwhile.
    moved = await due_times(api, database_path, clock, "Europe/Brussels")
    nine_brussels = dt.datetime(2025, 12, 3, 9, 0, tzinfo=BRUSSELS).timestamp()
    friday_brussels = dt.datetime(2025, 12, 5, 9, 0, tzinfo=BRUSSELS).timestamp()
    assert moved[5101] == (nine_brussels, nine_brussels)
    assert moved[5102] == (friday_brussels, friday_brussels)

    # Started again in the same zone: nothing moves.
    assert await due_times(api, database_path, clock, "Europe/Brussels") == moved
