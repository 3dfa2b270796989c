"""Commands benchmark: visatalks against a bare echo bot, both long-polling the fake Bot API.

Simulated users send a mix of commands. Two phases per bot, in one run:
  throughput  N updates pushed at once; updates/s until the last reply arrived
  latency     updates at a fixed rate (default 100/s); p50 / p99 from push to reply

    python -m bench.commands [--users 500] [--updates 3000] [--rate 100] [--seconds 10]

Target: visatalks reaches at least 0.8 of the echo bot's rate; p99 under 50 ms at 100/s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from bench._bots import TOKEN, bot_process, harness_gc_paused, peak_rss_mb, percentile
from tests.fakebotapi import FakeBotApi

COMMANDS = ("/status", "/facts", "/news", "/timeline", "/help", "/start", "/lang", "/subscribe")
LANGUAGES = ("kk", "ru", "en")


@dataclass
class Result:
    name: str
    rate: float
    p50_ms: float
    p99_ms: float
    lost: int


class Load:
    """Pushes updates from simulated users and matches each reply to its update, per chat."""

    def __init__(self, api: FakeBotApi, users: int) -> None:
        self.api = api
        self.users = [900_000 + i for i in range(users)]
        self.pushed: dict[int, deque[float]] = defaultdict(deque)
        self.latencies: list[float] = []
        self.seen = 0
        self.script = itertools.cycle((u, c) for c in COMMANDS for u in self.users)

    def push(self) -> None:
        user, command = next(self.script)
        self.pushed[user].append(time.monotonic())
        self.api.user_message(user, command, language_code=LANGUAGES[user % 3])

    def collect(self) -> None:
        """Match new replies (the fake records `at` per message) to their pushes."""
        for message in self.api.sent[self.seen :]:
            queue = self.pushed.get(message.chat_id)
            if queue:
                self.latencies.append(message.at - queue.popleft())
        self.seen = len(self.api.sent)

    def outstanding(self) -> int:
        return sum(len(q) for q in self.pushed.values())

    async def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.collect()
            if not self.outstanding():
                return
            await asyncio.sleep(0.005)


async def measure(name: str, argv: list[str], args: argparse.Namespace) -> Result:
    async with FakeBotApi(token=TOKEN) as api, bot_process(api, argv):
        with harness_gc_paused():
            return await _phases(name, api, args)


async def _phases(name: str, api: FakeBotApi, args: argparse.Namespace) -> Result:
    load = Load(api, args.users)
    for _ in range(50):  # warm-up: imports, caches, first queries
        load.push()
    await load.drain(30)
    load.latencies.clear()

    started = time.monotonic()
    for _ in range(args.updates):
        load.push()
    await load.drain(120)
    rate = (args.updates - load.outstanding()) / (time.monotonic() - started)
    load.latencies.clear()

    interval = 1 / args.rate
    started = time.monotonic()
    for sent in range(int(args.rate * args.seconds)):
        delay = started + sent * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        load.push()
        load.collect()
    await load.drain(30)
    latencies = load.latencies
    return Result(
        name,
        rate,
        percentile(latencies, 0.50) * 1000,
        percentile(latencies, 0.99) * 1000,
        load.outstanding(),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    results = [
        await measure("visatalks", ["-m", "bot", "run"], args),
        await measure("echo bot", ["-m", "bench.echo_bot"], args),
    ]
    print(f"{'bot':<10} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5}"
          f"   (latency at {args.rate:.0f} updates/s)")  # fmt: skip
    for r in results:
        print(f"{r.name:<10} {r.rate:>10.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.lost:>5}")
    ours, echo = results
    print(f"rate ratio visatalks/echo: {ours.rate / echo.rate:.2f} (target >= 0.80); "
          f"p99 at {args.rate:.0f}/s: {ours.p99_ms:.1f} ms (target < 50)")  # fmt: skip
    print(f"bench process peak RSS {peak_rss_mb():.0f} MB; bots {peak_rss_mb(True):.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
