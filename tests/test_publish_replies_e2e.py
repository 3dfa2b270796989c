"""Replies keep flowing while a post is being queued: the publish holds the writer
connection (about 2 s for a million subscribers), and a reply's reads do not wait for it."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.publishing import Announcement, publish
from tests.conftest import StartBot
from tests.delivery_helpers import add_subscribers, store_of
from tests.fakebotapi import FakeBotApi

ASKING = 950
QUESTION = "что пишут в новостях про брюссель"  # searched in the articles: reads the database
SLOW_ROW = 0.3  # seconds the writer spends on each delivery row


async def test_a_reply_does_not_wait_for_a_long_publish(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    async with start_bot() as app:
        store = store_of(app)
        await add_subscribers(store, range(960, 965))
        await api.reply_to(ASKING, QUESTION)  # known to the bot, caches warm
        # The publish made slow where it is slow in production: writing the rows, on the
        # writer connection (a temporary trigger belongs to that connection alone).
        await store.db.conn.create_function("slow", 1, time.sleep)
        await store.db.execute(
            "CREATE TEMP TRIGGER slow_rows AFTER INSERT ON deliveries "
            f"BEGIN SELECT slow({SLOW_ROW}); END"
        )
        publishing = asyncio.create_task(publish(store, Announcement("news", {"ru": "Новость"})))
        await asyncio.sleep(0.1)  # the publish's transaction is under way

        started = time.monotonic()
        answer = await api.reply_to(ASKING, QUESTION)
        took = time.monotonic() - started
        still_publishing = not publishing.done()
        assert (await publishing).queued == 5
        assert answer.plain
        assert took < 0.5, f"the reply waited {took:.2f} s for the publish"
        assert still_publishing, "the publish was not slow enough to test anything"
