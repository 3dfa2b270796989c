"""systemd notifications: READY=1, and the watchdog fed only while the health check passes."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import sdnotify
from storage import open_store
from storage.runtime import LAST_POLL


@pytest.fixture
def systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.setblocking(False)
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        monkeypatch.setenv("WATCHDOG_USEC", "30000000")
        yield sock


def received(sock: socket.socket) -> list[str]:
    messages = []
    while True:
        try:
            messages.append(sock.recv(256).decode())
        except BlockingIOError:
            return messages


def test_notify_and_interval(systemd: socket.socket, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sdnotify.notify("READY=1")
    assert received(systemd) == ["READY=1"]
    assert sdnotify.watchdog_interval() == 10.0
    monkeypatch.setenv("WATCHDOG_PID", "1")  # meant for another process
    assert sdnotify.watchdog_interval() is None
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert not sdnotify.notify("READY=1")


class _Context:
    def __init__(self, database_path: Path) -> None:
        self.settings: Any = type("S", (), {"database_path": database_path})()


async def test_watchdog_is_fed_only_while_healthy(
    systemd: socket.socket, database_path: Path
) -> None:
    store = await open_store(database_path)
    context: Any = _Context(database_path)
    try:
        await sdnotify.watchdog(context)  # never polled: stale
        assert received(systemd) == []
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        await store.runtime.put(LAST_POLL, now)
        await sdnotify.watchdog(context)
        await asyncio.sleep(0)
        assert received(systemd) == ["WATCHDOG=1"]
    finally:
        await store.close()
