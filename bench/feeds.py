"""Feeds benchmark: one full poll cycle over many local feeds, and the event loop meanwhile.

The feeds are generated RSS files served by tests.feedserver in its own process (so serving
costs nothing on the bot's event loop). The poller runs as in the bot: fetch, parse in worker
processes, store, and at the end of the round render its one announcement in a transaction.
A probe task sleeps 5 ms at a time and records how late it wakes: the longest delay is the
longest loop stall.

    python -m bench.feeds [--feeds 50] [--entries 200]

Targets: the first (cold) cycle under 10 s; no stall over 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bot.config import FeedOptions
from bot.feeds.announce import NewItem, render_announcement, warm_up
from bot.feeds.poller import CheckResult, Poller
from storage import open_store
from tests.feedgen import rss

PROBE = 0.005


class StallProbe:
    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(PROBE)
            self.longest = max(self.longest, time.perf_counter() - before - PROBE)

    def __enter__(self) -> StallProbe:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def serve(directory: Path) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.feedserver", str(directory),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    base = (await process.stdout.readline()).decode().strip()
    return process, base


async def cycle(poller: Poller, label: str) -> list[CheckResult]:
    with StallProbe() as probe:
        started = time.perf_counter()
        results = await poller.run_due()
        elapsed = time.perf_counter() - started
    failed = sum(r.failed for r in results)
    print(
        f"{label:<22} {elapsed:6.2f} s   longest loop stall {probe.longest * 1000:6.1f} ms   "
        f"feeds {len(results)} (failed {failed}, 304 {sum(r.not_modified for r in results)})   "
        f"entries {sum(r.entries for r in results)}   new {sum(r.new for r in results)}"
    )
    return results


async def main(feeds: int, entries: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "feeds").mkdir()
        for number in range(feeds):
            (root / "feeds" / f"f{number}.xml").write_bytes(rss(f"f{number}", entries))
        process, base = await serve(root / "feeds")
        store = await open_store(root / "bench.sqlite3")
        announced = 0

        async def announce(items: Sequence[NewItem]) -> None:
            nonlocal announced
            render_announcement(items)  # what the outbox wiring will do, in the transaction
            announced += len(items)

        warm_up()  # both as bot.feeds.service does at start-up
        poller = Poller(store, FeedOptions(), announce)
        clock_base = poller.clock
        try:
            await poller.sync([f"{base}/f{n}.xml" for n in range(feeds)])
            print(f"{feeds} feeds x {entries} entries, served from 127.0.0.1")
            await cycle(poller, "cold cycle (all new)")
            poller.clock = lambda: clock_base() + FeedOptions().interval * 2
            await cycle(poller, "warm cycle (304s)")
            # As if every server had lost its ETags: every feed is read again, nothing is new.
            await store.db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
            poller.clock = lambda: clock_base() + FeedOptions().interval * 4
            await cycle(poller, "full re-read (no new)")
            print(f"announced items: {announced}")
        finally:
            await poller.aclose()
            await store.close()
            assert process.stdin is not None
            process.stdin.close()
            await process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.feeds, args.entries))
