"""systemd integration: READY=1 once serving, and a watchdog fed only while healthy.

Under `Type=notify` with `WatchdogSec=`, systemd sets NOTIFY_SOCKET and WATCHDOG_USEC. The
bot then runs the same check as `visatalks health` every third of that time and pings the
watchdog only when it passes; a bot that stops hearing from Telegram (or loses its database)
is killed by systemd and restarted (Restart=on-failure). Outside systemd all of this is off.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING, Any, Protocol

from bot.ops.health import check

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.config import Settings


class Configured(Protocol):
    """What the watchdog needs of its job's context (bot.context.BotContext is one)."""

    @property
    def settings(self) -> Settings: ...


log = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send `state` (e.g. "READY=1") to systemd; False when not run by systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("systemd notify failed: %s", exc)
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds between pings: a third of WatchdogSec, when the watchdog is meant for us."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000 / 3


async def watchdog(context: Configured) -> None:
    """JobQueue job: WATCHDOG=1 only when the health check passes."""
    health = await check(context.settings.database_path)
    if health.ok:
        notify("WATCHDOG=1")
    else:
        log.warning("unhealthy, not feeding the systemd watchdog: %s", health.line)


def started(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Tell systemd we serve, and start feeding its watchdog if it keeps one."""
    notify("READY=1")
    interval = watchdog_interval()
    if interval is not None and application.job_queue is not None:
        application.job_queue.run_repeating(watchdog, interval=interval, first=interval)
