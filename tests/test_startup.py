"""Starting `visatalks run`: what stops the start, and that each says so in one line."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpcore
import pytest
from telegram.error import NetworkError

from bot.telegram.runner import unreachable
from tests.fakebotapi import FakeBotApi


async def run_cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "run", *args],
        env={**os.environ, **env}, cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["proc", "directory", "under a file", "read-only"])
async def test_a_bad_database_path_is_one_line_before_any_network_call(
    api: FakeBotApi, tmp_path: Path, kind: str
) -> None:
    if kind == "proc":
        path = "/proc/x"
    elif kind == "directory":
        path = str(tmp_path)
    elif kind == "under a file":
        (tmp_path / "plain").write_text("x")
        path = str(tmp_path / "plain" / "db.sqlite3")
    else:
        if os.geteuid() == 0:
            path = "/sys/visatalks.sqlite3"  # read-only even for root
        else:
            locked = tmp_path / "locked"
            locked.mkdir(mode=0o500)
            path = str(locked / "db.sqlite3")
    env = {"BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url, "DATABASE_PATH": path}
    result = await run_cli(env, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("visatalks: configuration error: DATABASE_PATH: ")
    assert "Traceback" not in result.stderr
    assert api.calls == []  # Telegram was never contacted


async def test_a_refused_connection_names_the_host_not_telegram(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "BOT_TOKEN": "123456:AAFakeTokenForTestsOnly_0123456789ab",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
    }
    result = await run_cli(env, tmp_path)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "visatalks: cannot reach 127.0.0.1: connection refused; "
        "is TELEGRAM_API_BASE_URL right and its server up?"
    )
    assert "refused to start" not in result.stderr and "Traceback" not in result.stderr


def test_a_name_that_does_not_resolve_is_said_so() -> None:
    # The chain bot.telegram.transport raises when DNS fails: NetworkError <- httpcore <- gaierror.
    dns = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    connect = httpcore.ConnectError(str(dns))
    connect.__cause__ = dns
    error = NetworkError(f"httpcore.ConnectError: {connect}")
    error.__cause__ = connect
    line = unreachable("https://api.telegram.org/bot", error)
    assert line.startswith("cannot reach api.telegram.org: name not resolved (")
    assert "DNS" in line and "Telegram refused" not in line
