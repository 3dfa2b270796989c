"""Running the fake Bot API as its own process, for benchmarks.

``python -m tests.fakebotapi --port 0 --limits 30`` prints ``base_url`` on one line and
serves until SIGTERM/SIGINT or EOF on a piped stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import stat
import sys
from collections.abc import Iterable

from tests import fakebotapi
from tests.fakebotapi.api import FakeBotApi
from tests.fakebotapi.limits import RateLimits


def _stdin_is_watchable() -> bool:
    """Watch stdin for EOF only if it is a pipe or a terminal (not /dev/null or a file)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or sys.stdin.isatty()


async def _serve(args: argparse.Namespace) -> None:
    limits = None
    if args.limits:
        limits = RateLimits(
            global_per_second=args.limits,
            private_per_second=args.private_per_second or None,
            group_per_minute=args.group_per_minute or None,
        )
    api = FakeBotApi(
        token=args.token, username=args.username, limits=limits, host=args.host, port=args.port
    )
    await api.start()
    print(api.base_url, flush=True)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, done.set)
    watching = _stdin_is_watchable()
    if watching:
        fd = sys.stdin.fileno()

        def on_stdin() -> None:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                loop.remove_reader(fd)
                done.set()

        loop.add_reader(fd, on_stdin)
    try:
        await done.wait()
    finally:
        await api.stop()


def main(argv: Iterable[str] | None = None) -> int:
    """Run the fake as a standalone server (see the package docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakebotapi", description=fakebotapi.__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = OS-chosen port")
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--username", default="visatalks_bot")
    parser.add_argument(
        "--limits",
        type=float,
        default=None,
        metavar="GLOBAL_PER_SECOND",
        help="enforce flood limits with this global rate (messages/s)",
    )
    parser.add_argument("--private-per-second", type=float, default=1.0)
    parser.add_argument("--group-per-minute", type=int, default=20)
    args = parser.parse_args(None if argv is None else list(argv))
    asyncio.run(_serve(args))
    return 0
