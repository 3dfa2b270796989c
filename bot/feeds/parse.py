"""Reading a fetched feed off the event loop: bot.feeds.entries in a worker process.

Everything CPU-bound about a feed happens in `read_feed`, which `parse` runs in a worker:
feedparser itself, HTML cleaning, dedupe keys, the relevance check and language detection.
The loop only ever sees the finished, plain-text `Entry` objects.

feedparser is pure Python. In a thread it held the GIL against the event loop, so a poll cycle
cost the sum of both and stalled the loop; worker processes parse on the other cores while the
loop fetches and stores (bench/feeds.py on 2 cores, 50 feeds of 200 entries: a cycle took
11.1 s with a thread, 6.2 s with two processes).

The reading itself is split by role: bot.feeds.entries (the document and its items),
bot.feeds.text (HTML to plain text), bot.feeds.language (kk / ru / en); their public names
are importable from here as before.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.feeds.entries import BODY_LIMIT, TITLE_LIMIT, Entry, ParsedFeed, read_feed
from bot.feeds.errors import FeedError, Problem
from bot.feeds.judgement import Judge
from bot.feeds.language import detect_language
from bot.feeds.text import plain_text

__all__ = [
    "BODY_LIMIT",
    "PARENT_CHECK_SECONDS",
    "PARSE_WORKERS",
    "TITLE_LIMIT",
    "Entry",
    "ParsedFeed",
    "detect_language",
    "parse",
    "plain_text",
    "read_feed",
    "stop_workers",
]

# Feeds parsed at once, each in its own process of about 30 MB (started at the first parse).
PARSE_WORKERS = max(1, min(2, os.cpu_count() or 1))
PARENT_CHECK_SECONDS = 2.0

_pool: ProcessPoolExecutor | None = None


def _workers() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the bot's process has threads (aiosqlite's, the executor's own).
        _pool = ProcessPoolExecutor(
            PARSE_WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_follow_parent,
            initargs=(os.getpid(),),
        )
    return _pool


def _follow_parent(parent: int) -> None:
    """In a worker: stop with the bot, not on its own.

    Ctrl-C and systemd's SIGTERM reach the whole process group; the bot finishes what it is
    doing and, exiting, lets its workers go, so a worker ignores them rather than fail a
    parse in flight. A worker waiting for work does not notice a SIGKILLed parent by itself,
    so it watches for that and exits.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def stop_workers(pool: ProcessPoolExecutor | None = None) -> None:
    """Let the worker processes go (they start again on the next parse); with `pool`, only if
    that is still the current one."""
    global _pool
    if _pool is not None and pool in (None, _pool):
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


async def parse(
    body: bytes, headers: Mapping[str, str], now: dt.datetime, judge: Judge
) -> ParsedFeed:
    """`read_feed` in a worker process. A worker that dies fails the checks being parsed at
    that moment (the pool breaks as a whole); the next parse starts new workers."""
    loop = asyncio.get_running_loop()
    pool = _workers()
    try:
        return await loop.run_in_executor(pool, read_feed, body, dict(headers), now, judge)
    except BrokenProcessPool as exc:
        stop_workers(pool)
        raise FeedError(Problem.INTERNAL, "the parsing process died") from exc
