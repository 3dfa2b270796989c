"""Helpers shared by benchmarks: run a bot as a subprocess against an in-process FakeBotApi."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import resource
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

from tests.fakebotapi import FakeBotApi

TOKEN = "123456:AAFakeTokenForBenchmarksOnly_0123456"
ROOT = Path(__file__).resolve().parent.parent


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextlib.contextmanager
def harness_gc_paused() -> Iterator[None]:
    """Pause this process's garbage collector while a bot is measured.

    The fake Bot API runs here and keeps a record of every message; a full collection over
    them stalled it for tens of milliseconds (and over 100 ms at times), which showed up as
    the bot's latency and, by delivering queued requests at once, as 429s from the fake's
    windows. The bots themselves run with their collectors as in production.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; the name may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


@contextlib.asynccontextmanager
async def bot_process(
    api: FakeBotApi, argv: Sequence[str], extra_env: dict[str, str] | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start `python <argv>` pointed at `api`; wait until it polls; SIGTERM it afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_PATH": str(Path(tmp) / "bench.sqlite3"),
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        process = await asyncio.create_subprocess_exec(sys.executable, *argv, env=env, cwd=ROOT)
        try:
            await api.wait_for_call("getUpdates", timeout=60)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
