"""Flood control: a flooding user is slowed down, everyone else keeps fast answers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.app import build_application
from bot.config import FloodLimits
from bot.flood import FloodGate, Verdict
from bot.telegram.runner import running
from tests.conftest import ADMIN_ID, make_settings
from tests.fakebotapi import FakeBotApi

FLOODER = 601
CALM = 602
SLOW_DOWN_RU = "Вы пишете слишком часто"


def test_token_bucket_warns_once_then_drops_until_refilled() -> None:
    now = [0.0]
    gate = FloodGate(FloodLimits(burst=3, per_minute=60), clock=lambda: now[0])
    verdicts = [gate.check(1) for _ in range(6)]
    assert verdicts == [Verdict.PASS] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert gate.check(2) is Verdict.PASS, "another user has a bucket of their own"
    now[0] = 1.0  # one token back
    assert [gate.check(1), gate.check(1)] == [Verdict.PASS, Verdict.WARN]
    now[0] = 100.0  # refilled, but never above the burst
    assert [gate.check(1) for _ in range(4)] == [Verdict.PASS] * 3 + [Verdict.WARN]


async def test_flooder_is_throttled_while_another_user_stays_fast(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = make_settings(api, database_path, FLOOD_BURST="5", FLOOD_PER_MINUTE="6")
    # Each send takes 100 ms at the "server": 60 unthrottled replies would keep the bot busy
    # for 6 s. The bound below is half that, so a loaded machine does not fail the test.
    api.delay_method("sendMessage", 0.1)
    async with running(build_application(settings), poll_timeout=1):
        for _ in range(60):
            api.user_message(FLOODER, "/status")
        started = time.monotonic()
        reply = await api.reply_to(CALM, "/help", timeout=10)
        latency = time.monotonic() - started
        assert "/status" in reply.plain
        api.user_message(FLOODER, "/status")  # still over the limit: no second notice
        await api.reply_to(CALM, "/status")  # processed after the flooder's last message
    flooder = [m.plain for m in api.messages_to(FLOODER)]
    assert len(flooder) == 6, flooder  # the burst, then one notice; the rest ignored
    assert sum(SLOW_DOWN_RU in text for text in flooder) == 1
    assert SLOW_DOWN_RU in flooder[-1]
    assert latency < 3, f"the calm user waited {latency:.2f} s"


async def test_button_presses_count_and_every_query_is_answered(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = make_settings(api, database_path, FLOOD_BURST="3", FLOOD_PER_MINUTE="1")
    async with running(build_application(settings), poll_timeout=1):
        page = await api.reply_to(FLOODER, "/facts", language_code="en")
        data = page.callback_data[-1]
        for _ in range(4):
            api.press_button(FLOODER, page, data, check=False, language_code="en")
        await api.wait_for_call("answerCallbackQuery", lambda c: True)
        for _ in range(50):
            if len(api.answered_callbacks) == 4:
                break
            await asyncio.sleep(0.05)
    texts = [a.text for a in api.answered_callbacks]
    assert len(texts) == 4, texts
    assert texts[:2] == [None, None]  # two presses within the burst (after /facts)
    assert texts[2] is not None and texts[2].startswith("You are writing too fast")
    assert texts[3] is None


async def test_admins_are_never_slowed(api: FakeBotApi, database_path: Path) -> None:
    settings = make_settings(api, database_path, FLOOD_BURST="2", FLOOD_PER_MINUTE="1")
    async with running(build_application(settings), poll_timeout=1):
        for _ in range(6):
            api.user_message(ADMIN_ID, "/help")
        await api.wait_for_messages(ADMIN_ID, 6)
