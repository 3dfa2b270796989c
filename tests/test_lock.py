"""One instance per database: a second bot on the same database refuses to start."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.errors import AlreadyRunning
from bot.ops.lock import InstanceLock
from bot.telegram.runner import running
from tests.conftest import StartBot
from tests.fakebotapi import FakeBotApi


async def test_second_instance_refuses_and_the_first_keeps_serving(
    api: FakeBotApi, start_bot: StartBot, settings: Settings
) -> None:
    async with start_bot():
        second = build_application(settings)
        with pytest.raises(AlreadyRunning, match=rf"pid {os.getpid()}\) is running on"):
            async with running(second, poll_timeout=1):
                pytest.fail("a second instance started")
        reply = await api.reply_to(7, "/status")
        assert "2/7" in reply.plain
    # Once the first has stopped, the database is free again.
    async with start_bot():
        assert "2/7" in (await api.reply_to(7, "/status")).plain


async def test_second_process_exits_with_one_clear_line(
    api: FakeBotApi, start_bot: StartBot, settings: Settings, database_path: Path
) -> None:
    env = {
        **os.environ,
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_PATH": str(database_path),
    }
    async with start_bot():
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "run"],
            env=env, cwd=database_path.parent, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("visatalks: another visatalks (pid ")
    assert str(database_path) in last and "twice" in last


def test_lock_is_released_and_reusable(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = InstanceLock.acquire(path)
    with pytest.raises(AlreadyRunning):
        InstanceLock.acquire(path)
    InstanceLock.acquire(tmp_path / "other.sqlite3").release()  # another database is free
    first.release()
    InstanceLock.acquire(path).release()
