"""The connection to Telegram: requests spread over small pools, and all of them answered."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.telegram.transport import CONNECTIONS_PER_SHARD, ShardedRequest
from tests.delivery_helpers import wait_until
from tests.fakebotapi import FakeBotApi

USER = 7


async def test_requests_in_flight_spread_evenly_over_the_shards(api: FakeBotApi) -> None:
    count = 3 * CONNECTIONS_PER_SHARD
    request = ShardedRequest(connections=count)
    api.user_message(USER, "/start")  # the chat exists
    api.delay_method("sendMessage", 2)  # long enough for all to be under way together
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        sends = [asyncio.create_task(bot.send_message(USER, f"message {n}")) for n in range(count)]
        await wait_until(lambda: sum(request.in_flight) == count, what="all sends under way")
        # Every shard carries its share at once: none waits for a free connection.
        assert request.in_flight == (CONNECTIONS_PER_SHARD,) * 3
        messages = await asyncio.gather(*sends)
        assert request.in_flight == (0, 0, 0)
    assert sorted(m.text or "" for m in messages) == sorted(f"message {n}" for n in range(count))
    assert len({m.message_id for m in messages}) == count


async def test_a_small_pool_is_one_shard(api: FakeBotApi) -> None:
    request = ShardedRequest(connections=1)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        assert (await bot.get_me()).is_bot
    assert request.in_flight == (0,)


async def test_a_file_goes_through_httpx_and_still_arrives(api: FakeBotApi) -> None:
    request = ShardedRequest(connections=1)
    api.user_message(USER, "/start")
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        message = await bot.send_document(USER, b"backup bytes", filename="backup.txt")
        assert len(request._httpx) == 1  # the fallback carried it
        assert message.document is not None
        text = await bot.send_message(USER, "and then a text")
    assert text.text == "and then a text"
    assert request.in_flight == (0,)


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = ShardedRequest(connections=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot123:abc/getMe")
    finally:
        await request.shutdown()
