"""Replies while a post is queued for many subscribers: does publishing freeze the bot?

Publishing writes one delivery row per subscriber in one transaction (INSERT ... SELECT;
about 2 s for a million). This benchmark runs the real bot against the fake Bot API (both in
this process), queues a post for S subscribers with the bot's own
bot.delivery.publishing.publish, and
meanwhile sends commands and questions that read the database (/settings, /news, a
question) from users the bot already knows, at a fixed rate, timing each reply from push to
answer.

    python -m bench.publish_replies                        # 1,000,000 subscribers
    python -m bench.publish_replies --subscribers 200000

Prints how long the publish took and the replies' p50 / p99 / max during it, per kind.
Target: p99 < 100 ms while the post is being queued.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench._bots import TOKEN, harness_gc_paused, percentile
from bench.broadcast import BODY, add_subscribers
from bot.app import build_application
from bot.config import load_settings
from bot.delivery.publishing import Announcement, publish
from bot.telegram.runner import running
from storage import open_store
from tests.fakebotapi import FakeBotApi

USERS = range(1, 201)  # known chats asking; not subscribed
ASKS = (
    "/settings",
    "/news",
    "/status",
    "когда начались переговоры",  # an intent: answered from memory
    "что пишут в новостях про брюссель",  # searched in the articles (FTS)
    "реадмиссия мигранттар туралы не белгілі",
)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        store = await open_store(database)
        started = time.monotonic()
        await add_subscribers(store, args.subscribers, 0.0)
        await store.close()
        print(f"{args.subscribers:,} subscribers written in {time.monotonic() - started:.1f} s")
        async with FakeBotApi(token=TOKEN) as api:
            settings = load_settings(
                {
                    "BOT_TOKEN": api.token,
                    "TELEGRAM_API_BASE_URL": api.base_url,
                    "DATABASE_PATH": str(database),
                    "LOG_LEVEL": "WARNING",
                }
            )
            application = build_application(settings)
            with harness_gc_paused():
                async with running(application, poll_timeout=1):
                    await measure(api, application.bot_data.store, args)


async def ask(api: FakeBotApi, user: int, text: str) -> float:
    started = time.monotonic()
    await api.reply_to(user, text, timeout=30)
    return time.monotonic() - started


async def measure(api: FakeBotApi, store: object, args: argparse.Namespace) -> None:
    assert store is not None
    for user in USERS:  # known to the bot, caches warm
        await ask(api, user, ASKS[user % len(ASKS)])
    before = [await ask(api, u, ASKS[u % len(ASKS)]) for u in USERS[:40]]

    publishing = asyncio.create_task(
        publish(store, Announcement("news", BODY)),  # type: ignore[arg-type]
    )
    started = time.monotonic()
    latencies: dict[str, list[float]] = defaultdict(list)
    asking: list[asyncio.Task[None]] = []
    interval = 1 / args.rate
    index = 0

    async def one(user: int, text: str) -> None:
        latencies[text].append(await ask(api, user, text))

    while not publishing.done():
        user = USERS[index % len(USERS)]
        asking.append(asyncio.create_task(one(user, ASKS[index % len(ASKS)])))
        index += 1
        await asyncio.sleep(interval)
    published = await publishing
    took = time.monotonic() - started
    await asyncio.gather(*asking)

    print(f"publish: {published.queued:,} rows queued in {took:.2f} s")
    print(f"idle:    p50 {percentile(before, 0.5) * 1000:7.1f} ms")
    everything = [v for values in latencies.values() for v in values]
    for name, values in [*sorted(latencies.items()), ("all", everything)]:
        ms = [v * 1000 for v in values]
        print(
            f"{name[:26]:26} n={len(ms):4}  p50 {percentile(ms, 0.5):7.1f} ms  "
            f"p99 {percentile(ms, 0.99):7.1f} ms  max {max(ms):7.1f} ms"
        )
    p99 = percentile(everything, 0.99) * 1000
    print(f"target p99 < 100 ms while queueing: {'met' if p99 < 100 else 'NOT met'} ({p99:.1f} ms)")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=100.0, help="replies asked per second")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
