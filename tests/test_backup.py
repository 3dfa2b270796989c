"""Backups taken while the bot answers and writes, and restored as deploy/README.md says."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops.backup import restore_command
from storage import open_store
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
        refusal = capsys.readouterr().err
        assert f"restore refused: a visatalks (pid {os.getpid()}) is running on" in refusal
        assert "keeps the database open and goes on writing to it" in refusal
        assert "twice" not in refusal

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


def make_database(path: Path) -> None:
    async def create() -> None:
        await (await open_store(path)).close()

    asyncio.run(create())


def test_a_backup_into_a_directory_has_the_documented_name(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"  # not named visatalks: the backup still is
    make_database(database)
    folder = tmp_path / "backups"
    folder.mkdir()
    code, _, err = asyncio.run(cli(database, "backup", str(folder)))
    assert code == 0, err
    [copy] = folder.iterdir()
    assert re.fullmatch(r"visatalks-\d{8}-\d{6}\.sqlite3", copy.name), copy.name
    # The name deploy/README.md promises, which the nightly pruning matches.
    readme = (Path(__file__).parents[1] / "deploy" / "README.md").read_text(encoding="utf-8")
    assert "`visatalks-YYYYMMDD-HHMMSS.sqlite3`" in readme
    service = Path(__file__).parents[1] / "deploy" / "visatalks-backup.service"
    assert "-name 'visatalks-*.sqlite3'" in service.read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["read-only", "missing directory"])
def test_an_unwritable_destination_is_named(tmp_path: Path, where: str) -> None:
    database = tmp_path / "visatalks.sqlite3"
    make_database(database)
    if where == "missing directory":
        target = tmp_path / "nowhere" / "copy.sqlite3"
    elif os.geteuid() == 0:
        target = Path("/sys/visatalks-copy.sqlite3")  # read-only even for root
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "copy.sqlite3"
    code, out, err = asyncio.run(cli(database, "backup", str(target)))
    assert (code, out) == (1, "")
    assert err.startswith(f"visatalks: backup failed: cannot write the backup {target}: "), err
    assert str(database) not in err
    assert len(err.strip().splitlines()) == 1
