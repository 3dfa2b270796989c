"""SIGKILL in the middle of a broadcast that goes to channels as well as private chats (the
real `python -m bot run` process against the fake Bot API served from this test): nothing is
lost, and no more messages go out twice than were in flight (DELIVERY_CONCURRENCY), channel
posts included."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

from bot.delivery.publishing import Announcement, publish
from storage import open_store
from storage.models import Mode
from tests.delivery_helpers import add_subscribers, wait_until
from tests.fakebotapi import FakeBotApi
from tests.test_delivery_process import CONCURRENCY, start

CHANNELS = [-1002000000001, -1002000000002, -1002000000003]
PRIVATE = list(range(7100, 7140))
UPDATES = 2
BOT_LINK = "https://t.me/visatalks_bot?start=subscribe"


async def prepare(api: FakeBotApi, database: Path) -> list[int]:
    store = await open_store(database)
    try:
        for number, chat_id in enumerate(CHANNELS, start=1):
            api.add_channel(chat_id, f"Канал {number}", f"channel_{number}")
            await store.channels.add(
                chat_id, title=f"Канал {number}", username=f"channel_{number}",
                language="kk", mode=Mode.INSTANT, added_by=42,
            )  # fmt: skip
        await add_subscribers(store, PRIVATE)
        updates = []
        for text in ("Бірінші", "Екінші")[:UPDATES]:
            published = await publish(store, Announcement("news", {"kk": text, "ru": text}))
            updates.append(published.update_id)
        return updates
    finally:
        await store.close()


async def sent_rows(database: Path, updates: list[int]) -> int:
    store = await open_store(database)
    try:
        return sum([(await store.outbox.counts(u)).sent for u in updates])
    finally:
        await store.close()


def per_chat(api: FakeBotApi) -> Counter[int]:
    return Counter({chat: api.delivered_count(chat) for chat in CHANNELS + PRIVATE})


async def test_sigkill_mid_broadcast_with_channels_loses_nothing(
    api: FakeBotApi, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    updates = await prepare(api, database)
    total = len(CHANNELS + PRIVATE) * UPDATES
    api.delay_method("sendMessage", 0.3)  # sends are in flight at the kill
    bot = await start(api, database, log)
    # The channels come first (the oldest rows of each update): killed once they had their
    # first post and the broadcast is under way.
    await wait_until(
        lambda: all(api.delivered_count(c) for c in CHANNELS) and api.delivered_count() >= 10,
        timeout=30,
        what="the channels' first posts",
    )
    bot.kill()
    await bot.wait()
    await asyncio.sleep(0.5)  # the sends in flight land
    recorded = await sent_rows(database, updates)
    unrecorded = api.delivered_count() - recorded
    assert 0 <= unrecorded <= CONCURRENCY
    assert api.delivered_count() < total, "the kill came in the middle"

    bot = await start(api, database, log)
    await wait_until(lambda: api.delivered_count() >= total + unrecorded, timeout=60, what="all")
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), 20) == 0, log.read_text()[-3000:]
    counts = per_chat(api)
    assert min(counts.values()) == UPDATES, counts  # nothing lost
    duplicates = sum(n - UPDATES for n in counts.values())
    assert duplicates == unrecorded <= CONCURRENCY
    assert await sent_rows(database, updates) == total
    for channel in CHANNELS:
        posts = api.messages_to(channel)
        assert all(BOT_LINK in post.text for post in posts)  # framed as channel posts
        assert {post.plain.split("\n\n")[1] for post in posts} == {"Бірінші", "Екінші"}
    assert api.too_many_requests == 0
