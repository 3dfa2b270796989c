"""The real `python -m bot run` process against the fake Bot API served from this test:
SIGTERM finishes the sends in flight and exits; SIGKILL loses nothing and duplicates at most
the sends that were in flight (DELIVERY_CONCURRENCY)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from bot.delivery.publishing import Announcement, publish
from storage import open_store
from tests.conftest import TOKEN
from tests.delivery_helpers import add_subscribers, wait_until
from tests.fakebotapi import FakeBotApi

CONCURRENCY = 4
CHATS = list(range(7000, 7060))


async def prepare(database: Path) -> int:
    store = await open_store(database)
    try:
        await add_subscribers(store, CHATS)
        published = await publish(store, Announcement("news", {"ru": "Рассылка"}))
        return published.update_id
    finally:
        await store.close()


async def start(api: FakeBotApi, database: Path, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "INFO",
        "DELIVERY_GLOBAL_PER_SECOND": "25",
        "DELIVERY_CONCURRENCY": str(CONCURRENCY),
    }
    with log.open("a") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=database.parent, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=sink, stderr=sink,
        )  # fmt: skip


async def sent_rows(database: Path, update_id: int) -> int:
    store = await open_store(database)
    try:
        return (await store.outbox.counts(update_id)).sent
    finally:
        await store.close()


def per_chat(api: FakeBotApi) -> Counter[int]:
    return Counter({chat: api.delivered_count(chat) for chat in CHATS})


async def test_sigterm_finishes_the_sends_in_flight_and_stops(
    api: FakeBotApi, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    update_id = await prepare(database)
    api.delay_method("sendMessage", 0.3)  # so that sends are in flight at the signal
    bot = await start(api, database, log)
    await wait_until(lambda: api.delivered_count() >= 10, timeout=20, what="10 deliveries")
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), 20) == 0, log.read_text()
    delivered = api.delivered_count()
    await asyncio.sleep(0.5)
    assert api.delivered_count() == delivered  # nothing was left in flight
    assert delivered < len(CHATS)
    assert "waiting for" in log.read_text()  # it did drain in-flight sends
    # Every message Telegram accepted is recorded as sent: nothing will go out twice.
    assert await sent_rows(database, update_id) == delivered

    bot = await start(api, database, log)
    await wait_until(lambda: api.delivered_count() >= len(CHATS), timeout=20, what="all")
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), 20) == 0
    assert set(per_chat(api).values()) == {1}
    assert await sent_rows(database, update_id) == len(CHATS)


async def test_sigkill_mid_broadcast_loses_nothing_and_repeats_at_most_the_in_flight(
    api: FakeBotApi, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    update_id = await prepare(database)
    # Slow answers: a killed bot leaves sends Telegram still carries out (like a real server).
    api.delay_method("sendMessage", 0.3)
    bot = await start(api, database, log)
    await wait_until(lambda: api.delivered_count() >= 10, timeout=20, what="10 deliveries")
    bot.kill()
    await bot.wait()
    await asyncio.sleep(0.5)  # the sends in flight land
    recorded = await sent_rows(database, update_id)
    unrecorded = api.delivered_count() - recorded
    # 4 slots and 0.3 s per send: the slots are always busy, so some sends were in flight.
    assert 1 <= unrecorded <= CONCURRENCY

    bot = await start(api, database, log)
    await wait_until(lambda: api.delivered_count() >= len(CHATS) + unrecorded, timeout=20)
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), 20) == 0
    counts = per_chat(api)
    assert min(counts.values()) == 1  # nothing lost
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates == unrecorded <= CONCURRENCY
    assert await sent_rows(database, update_id) == len(CHATS)
