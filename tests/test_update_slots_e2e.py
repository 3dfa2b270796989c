"""Updates of one chat wait for each other, not for other chats: a chat waiting for its turn,
or for Telegram's flood limit, holds none of the slots other chats' updates need."""

from __future__ import annotations

import asyncio
import time

from bot.telegram.updates import MAX_CONCURRENT_UPDATES
from tests.conftest import StartBot
from tests.fakebotapi import FakeBotApi

LIMITED = 900  # the chat whose replies Telegram holds back
OTHERS = list(range(901, 920))


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def test_a_flood_limited_chat_does_not_slow_the_others(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    async with start_bot():
        await api.reply_to(OTHERS[0], "/help")  # warmed up: the first reply builds caches
        api.fail_next("sendMessage", chat_id=LIMITED, retry_after=3)
        for _ in range(MAX_CONCURRENT_UPDATES):  # as many updates as there are slots
            api.user_message(LIMITED, "/help")
        since = len(api.calls)
        # The first reply got its 429 and waits; the chat's other updates queue behind it.
        await api.wait_for_call("sendMessage", lambda c: c.status == 429, since=since)
        await asyncio.sleep(0.05)

        async def latency(user: int) -> float:
            started = time.monotonic()
            await api.reply_to(user, "/help")
            return time.monotonic() - started

        latencies = [await latency(user) for user in OTHERS]
        assert p99(latencies) < 0.1, f"replies took up to {max(latencies):.3f} s"
        # The limited chat still gets all its replies, in order, after the wait.
        replies = await api.wait_for_messages(LIMITED, MAX_CONCURRENT_UPDATES, timeout=10)
        assert len(replies) == MAX_CONCURRENT_UPDATES
