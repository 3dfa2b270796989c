"""`visatalks health` in each state: ok, stale poll, db unreachable, migrations behind."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.health import check, judge
from storage import open_store
from storage.db import latest_version, migrations
from storage.probe import Probe
from storage.runtime import LAST_POLL
from tests.conftest import StartBot
from tests.fakebotapi import FakeBotApi

NOW = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
LATEST = latest_version()


def health_cli(database_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_PATH"] = str(database_path)
    return subprocess.run(
        [sys.executable, "-m", "bot", "health", *args],
        env=env, cwd=database_path.parent, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


async def stamp(database_path: Path, when: dt.datetime) -> None:
    store = await open_store(database_path)
    try:
        await store.runtime.put(LAST_POLL, when.isoformat(timespec="seconds"))
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("probe", "state", "line"),
    [
        (Probe(LATEST, LATEST, NOW - dt.timedelta(seconds=5), None), "ok",
         f"ok: schema {LATEST}/{LATEST}, last poll 5 s ago, pending deliveries n/a"),
        (Probe(LATEST, LATEST, NOW - dt.timedelta(seconds=500), 3), "stale poll",
         f"stale poll (limit 120 s): schema {LATEST}/{LATEST}, last poll 500 s ago, "
         "pending deliveries 3"),
        (Probe(LATEST, LATEST, None, 0), "stale poll",
         f"stale poll (limit 120 s): schema {LATEST}/{LATEST}, last poll never, "
         "pending deliveries 0"),
        (Probe(1, LATEST, NOW, None), "migrations behind",
         f"migrations behind: schema 1/{LATEST}, last poll 0 s ago, pending deliveries n/a"),
        (Probe(LATEST + 1, LATEST, NOW, None), "migrations ahead",
         f"migrations ahead: schema {LATEST + 1}/{LATEST}, last poll 0 s ago, "
         "pending deliveries n/a"),
    ],
)  # fmt: skip
def test_judge_states(probe: Probe, state: str, line: str) -> None:
    health = judge(probe, NOW)
    assert (health.state, health.line, health.ok) == (state, line, state == "ok")


async def test_db_unreachable(tmp_path: Path) -> None:
    missing = await check(tmp_path / "missing.sqlite3")
    assert (missing.ok, missing.state) == (False, "db unreachable")
    assert "no database at" in missing.line
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    broken = await check(garbage)
    assert broken.state == "db unreachable" and not broken.ok


async def test_migrations_behind(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    version, _, sql = migrations()[0]
    with sqlite3.connect(path) as conn:
        conn.executescript(sql + f"\nPRAGMA user_version = {version};")
    conn.close()
    health = await check(path)
    assert health.state == "migrations behind"
    assert health.line.startswith(f"migrations behind: schema 1/{LATEST}, last poll never")


async def test_stale_and_fresh_heartbeat_and_pending_deliveries(database_path: Path) -> None:
    await stamp(database_path, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10))
    stale = await check(database_path)
    assert stale.state == "stale poll" and "pending deliveries 0" in stale.line
    await stamp(database_path, dt.datetime.now(dt.UTC))
    # The delivery outbox (migration 0002): only 'pending' rows count.
    with sqlite3.connect(database_path) as conn:
        conn.executemany(
            "INSERT INTO deliveries (update_id, chat_id, status, next_attempt_at) "
            "VALUES (1, ?, ?, 0)",
            [(1, "pending"), (2, "pending"), (3, "sent"), (4, "failed")],
        )
    conn.close()
    fresh = await check(database_path)
    assert fresh.ok and fresh.line.endswith("pending deliveries 2"), fresh.line


async def test_running_bot_is_healthy_and_the_cli_says_so(
    api: FakeBotApi, start_bot: StartBot, database_path: Path
) -> None:
    async with start_bot():
        await api.reply_to(7, "/help")
        for _ in range(60):  # first poll answered (1 s in tests) and flushed (1 s after start)
            health = await check(database_path)
            if health.ok:
                break
            await asyncio.sleep(0.1)
        assert health.ok, health.line
        result = await asyncio.to_thread(health_cli, database_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("ok: schema ") and result.stdout.count("\n") == 1


def test_cli_exit_status_is_1_when_unhealthy(tmp_path: Path) -> None:
    result = health_cli(tmp_path / "none.sqlite3")
    assert result.returncode == 1
    assert result.stdout.startswith("db unreachable: no database at")
    bad_config = subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        env={**os.environ, "PORT": "none"}, cwd=tmp_path, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert bad_config.returncode == 1, "Docker reserves exit status 2 of a health check"
