"""Backups taken while the bot answers and writes, and restored as deploy/README.md says."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.backup import restore_command
from bot.config import Settings
from storage.db import latest_version
from tests.conftest import StartBot
from tests.fakebotapi import FakeBotApi


def env_for(database_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_PATH"] = str(database_path)
    return env


async def cli(database_path: Path, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        env=env_for(database_path), cwd=database_path.parent,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return int(process.returncode or 0), out.decode(), err.decode()


def pairs(path: Path) -> int:
    """Rows the writer below adds two at a time, in one transaction each."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(
            conn.execute("SELECT count(*) FROM runtime WHERE key LIKE 'pair%'").fetchone()[0]
        )
    finally:
        conn.close()


async def test_backup_during_work_then_restore(
    api: FakeBotApi,
    start_bot: StartBot,
    settings: Settings,
    database_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    async with start_bot() as application:
        store = application.bot_data.store
        assert store is not None
        stop = asyncio.Event()

        async def writer() -> int:
            written = 0
            while not stop.is_set():
                async with store.db.transaction():
                    await store.runtime.put(f"pair{written}a", "x")
                    await store.runtime.put(f"pair{written}b", "x")
                written += 1
                await asyncio.sleep(0)
            return written

        writing = asyncio.create_task(writer())
        for user in range(700, 720):  # replies going out while the copy is taken
            api.user_message(user, "/status")
        code, out, err = await cli(database_path, "backup", str(folder))
        await api.wait_for_messages(719)
        stop.set()
        written = await writing
        assert code == 0, err
        assert restore_command(settings, folder) == 1
        assert "restore refused: another visatalks" in capsys.readouterr().err

    assert out.startswith("backup written: ") and f"schema {latest_version()}" in out
    [copy] = list(folder.glob("visatalks-*.sqlite3"))
    assert not list(folder.glob("*-wal")) and not list(folder.glob(".*partial"))
    in_copy = pairs(copy)
    assert in_copy % 2 == 0, "a consistent snapshot holds whole transactions only"
    assert 0 < in_copy < written * 2, (in_copy, written)
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT count(*) FROM chats").fetchone()[0] >= 1
    conn.close()

    code, out, err = await cli(database_path, "restore", str(copy))
    assert code == 0, err
    assert out.startswith(f"restored {database_path} from {copy}")
    assert pairs(database_path) == in_copy
    assert pairs(database_path.with_name(database_path.name + ".before-restore")) == written * 2

    async with start_bot():  # the restored database serves as before
        assert "2/7" in (await api.reply_to(7, "/status")).plain


def test_bad_paths_fail_with_one_line(database_path: Path, tmp_path: Path) -> None:
    code, out, err = asyncio.run(cli(database_path, "backup", str(tmp_path / "x.sqlite3")))
    assert (code, out) == (1, "")
    assert err.strip() == f"visatalks: backup failed: no database at {database_path}"
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"\0" * 4096)
    code, _, err = asyncio.run(cli(database_path, "restore", str(junk)))
    assert code == 1 and err.startswith("visatalks: restore failed: ")
    assert not database_path.exists(), "a failed restore leaves nothing behind"
