"""One bot token, one instance: the lock file guards one database, Telegram's 409 the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from telegram import Bot

from bot.app import build_application
from bot.config import Settings
from bot.errors import AlreadyRunning
from bot.telegram.runner import running
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi

ELSEWHERE = "http://127.0.0.1:9/someone-else"  # nobody listens: the fake never reaches it


async def start_process(api: FakeBotApi, database_path: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_PATH": str(database_path),
        "LOG_LEVEL": "INFO",
    }
    env.pop("WEBHOOK_URL", None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, cwd=database_path.parent,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_a_second_process_with_the_same_token_exits_2_with_one_line(
    api: FakeBotApi, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = await start_process(api, tmp_path / "a" / "bot.sqlite3")
    try:
        # The first has answered a poll: it serves the token.
        assert "2/7" in (await api.reply_to(7, "/status", timeout=60)).plain
        started = time.monotonic()
        second = await start_process(api, tmp_path / "b" / "bot.sqlite3")
        _, err = await asyncio.wait_for(second.communicate(), 60)
        took = time.monotonic() - started
        second_log = err.decode()
        assert second.returncode == 2, second_log
        assert second_log.strip().splitlines()[-1] == (
            "visatalks: another instance polls this bot (Telegram answered 409 Conflict): one "
            "token serves one visatalks at a time. Stop the other, or give this one its own "
            "bot token."
        )
        assert "Traceback" not in second_log
        assert took < 15, f"the second took {took:.1f} s to give up"
        # The first goes on serving.
        assert "2/7" in (await api.reply_to(8, "/status", timeout=30)).plain
    finally:
        if first.returncode is None:
            first.send_signal(signal.SIGTERM)
        _, first_err = await asyncio.wait_for(first.communicate(), 60)
    first_log = first_err.decode()
    assert "Traceback" not in first_log, first_log
    conflicts = [line for line in first_log.splitlines() if "409 Conflict" in line]
    assert conflicts, first_log
    assert all(
        " WARNING bot.telegram.runner: polling: another instance" in line for line in conflicts
    )
    assert first.returncode == 0


def webhook_settings(api: FakeBotApi, database_path: Path) -> Settings:
    settings = make_settings(
        api, database_path, WEBHOOK_URL="http://127.0.0.1:1/hook", WEBHOOK_SECRET="s3cret"
    )
    return replace(settings, webhook=replace(settings.webhook, port=0))


async def set_foreign_webhook(api: FakeBotApi) -> None:
    async with Bot(api.token, base_url=api.base_url) as other:
        await other.set_webhook(ELSEWHERE)


async def test_polling_refuses_a_webhook_someone_else_set(
    api: FakeBotApi, settings: Settings
) -> None:
    await set_foreign_webhook(api)
    with pytest.raises(AlreadyRunning, match=f"delivers them to the webhook {ELSEWHERE}"):
        async with running(build_application(settings), poll_timeout=1):
            pytest.fail("started while another instance receives the updates")
    assert api.webhook is not None and api.webhook.url == ELSEWHERE  # left alone
    # --take-over replaces it on purpose.
    async with running(build_application(settings), poll_timeout=1, take_over=True):
        assert "2/7" in (await api.reply_to(7, "/status")).plain
    assert api.webhook is None


async def test_webhook_mode_refuses_a_webhook_someone_else_set(
    api: FakeBotApi, database_path: Path
) -> None:
    await set_foreign_webhook(api)
    settings = webhook_settings(api, database_path)
    with pytest.raises(AlreadyRunning, match="Stop it, or start with --take-over"):
        async with running(build_application(settings), webhook=settings.webhook):
            pytest.fail("started while another instance receives the updates")
    assert api.webhook is not None and api.webhook.url == ELSEWHERE


async def test_our_own_webhook_is_not_someone_else(api: FakeBotApi, database_path: Path) -> None:
    settings = webhook_settings(api, database_path)
    for _ in range(2):  # a restart finds its own webhook set
        async with running(build_application(settings), webhook=settings.webhook):
            pass
    assert api.webhook is not None and api.webhook.url == "http://127.0.0.1:1/hook"
