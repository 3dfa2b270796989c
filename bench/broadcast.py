"""Broadcast benchmark: one update to S subscribers through a fake Bot API that enforces the limits.

The fake (in this process) answers 429 with retry_after to anything over the ceiling per
second, over 1 message/s to a private chat or over 20/min to a group, and counts every
message per chat. The bot runs as its own process (`python -m bot run`), as in production.

    python -m bench.broadcast                                # 10,000 subscribers at 30/s
    python -m bench.broadcast --subscribers 600 --ceiling 30 # a ~20 s run
    python -m bench.broadcast --paid --subscribers 20000     # allow_paid_broadcast, 1000/s
    python -m bench.broadcast --crash                        # SIGKILL 3 times, restart
    python -m bench.broadcast --subscribers 1000000          # enqueue only (time, RSS)
    python -m bench.broadcast --paid --transport aiohttp     # the bot's sends over aiohttp

Prints delivered, lost, duplicated, 429s received, achieved rate / ceiling, wall time, the
bot's CPU seconds (from its start to the last delivery, and while delivering) and peak RSS.
Targets: rate >= 0.95 of the ceiling, 0 lost, 0 duplicated, no 429; with --crash 0 lost and
duplicates within kills x DELIVERY_CONCURRENCY (the sends in flight at a kill); enqueueing
1,000,000 chats under 30 s and under 200 MB peak RSS.

Subscribers are written with one INSERT ... SELECT (benchmark fixture data, not a code path
of the bot); the update is enqueued with the bot's own bot.delivery.publishing.publish.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench._bots import ROOT, TOKEN, cpu_seconds, harness_gc_paused, peak_rss_mb
from bot.config import PAID_CONCURRENCY, DeliveryLimits
from bot.delivery.publishing import Announcement, publish
from storage import Store, open_store
from tests.fakebotapi import FakeBotApi, RateLimits

BODY = {
    "ru": "<b>Переговоры ЕС и Казахстана</b>\nСостоялся раунд переговоров об упрощении визового "
    "режима и о реадмиссии.",
    "kk": "<b>ЕО мен Қазақстан келіссөздері</b>\nВизалық режимді жеңілдету және реадмиссия "
    "туралы келіссөздер раунды өтті.",
    "en": "<b>EU–Kazakhstan talks</b>\nA round of negotiations on visa facilitation and "
    "readmission took place.",
}
FIRST_CHAT = 10_000_000
DELIVER_AT_MOST_SECONDS = 1800  # longer broadcasts only enqueue, unless --deliver


async def add_subscribers(store: Store, count: int, group_share: float) -> None:
    """`count` instant subscribers in kk / ru / en; every 1/group_share-th one is a group."""
    every = round(1 / group_share) if group_share > 0 else 0
    await store.db.execute(
        """
        INSERT INTO chats (id, type, language, mode, first_seen, last_seen)
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count)
        SELECT CASE WHEN :every > 0 AND i % :every = 0 THEN -(:first + i) ELSE :first + i END,
               CASE WHEN :every > 0 AND i % :every = 0 THEN 'group' ELSE 'private' END,
               CASE i % 3 WHEN 0 THEN 'kk' WHEN 1 THEN 'ru' ELSE 'en' END,
               'instant', '2025-12-02T00:00:00+00:00', '2025-12-02T00:00:00+00:00'
        FROM n
        """,
        {"count": count, "every": every, "first": FIRST_CHAT},
    )


def chat_ids(count: int, group_share: float) -> list[int]:
    every = round(1 / group_share) if group_share > 0 else 0
    return [-(FIRST_CHAT + i) if every and i % every == 0 else FIRST_CHAT + i for i in range(count)]


def bot_env(api: FakeBotApi, database: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "WARNING",
        "DELIVERY_CONCURRENCY": str(args.concurrency),
    }
    if args.paid:
        env |= {"ALLOW_PAID_BROADCAST": "true", "PAID_BROADCAST_PER_SECOND": str(args.ceiling)}
    else:
        env["DELIVERY_GLOBAL_PER_SECOND"] = str(args.ceiling)
    return env


async def launch(env: dict[str, str], transport: str) -> asyncio.subprocess.Process:
    command = ["bot"] if transport == "httpcore" else ["bench.transports", transport]
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", *command, "run", env=env, cwd=ROOT, stdin=asyncio.subprocess.DEVNULL
    )


async def broadcast(database: Path, args: argparse.Namespace, update_id: int) -> None:
    limits = RateLimits(global_per_second=args.ceiling, private_per_second=1, group_per_minute=20)
    chats = chat_ids(args.subscribers, args.groups)
    async with FakeBotApi(token=TOKEN, limits=limits) as api:
        env = bot_env(api, database, args)
        kills_at = [args.subscribers * share for share in (0.25, 0.5, 0.75)] if args.crash else []
        started = time.monotonic()
        deadline = started + args.subscribers / args.ceiling * 2 + 120
        process = await launch(env, args.transport)
        kills = 0
        cpu_before = 0.0  # of the bot processes killed so far
        cpu_at_first: float | None = None  # when the first delivery was seen
        try:
            while True:
                # Cheap checks only: this loop shares the event loop with the fake, and a
                # stall there would bunch requests up and distort the limits it enforces.
                if api.delivered_count() >= args.subscribers and all(
                    api.delivered_count(chat) for chat in chats
                ):
                    break
                if time.monotonic() > deadline:
                    break
                if cpu_at_first is None and api.delivered_count():
                    cpu_at_first = cpu_before + cpu_seconds(process.pid)
                if kills_at and api.delivered_count() >= kills_at[0]:
                    kills_at.pop(0)
                    cpu_before += cpu_seconds(process.pid)
                    process.kill()  # SIGKILL: no drain, no clean-up
                    await process.wait()
                    kills += 1
                    print(f"  SIGKILL #{kills} at {api.delivered_count()} delivered; restarting")
                    process = await launch(env, args.transport)
                await asyncio.sleep(0.2)
            finished = time.monotonic()
            cpu_total = cpu_before + cpu_seconds(process.pid)
            await asyncio.sleep(1.0)  # anything still on its way lands before counting
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)

        per_chat = Counter({chat: api.delivered_count(chat) for chat in chats})
        sends = [c for c in api.calls_to("sendMessage") if c.ok]
        first, last = sends[0].at, sends[-1].at
        rate = (len(sends) - 1) / (last - first) if len(sends) > 1 else 0.0
        paid_flag = sum(1 for c in sends if c.params.get("allow_paid_broadcast") is True)
        lost = sum(1 for n in per_chat.values() if n == 0)
        duplicated = sum(n - 1 for n in per_chat.values() if n > 1)
        bound = kills * args.concurrency

        print(f"delivered        {args.subscribers - lost} of {args.subscribers}")
        print(f"lost             {lost}")
        print(
            f"duplicated       {duplicated}"
            + (
                f"  (bound: {kills} kills x {args.concurrency} in flight = {bound})"
                if kills
                else ""
            )
        )
        print(f"429s received    {api.too_many_requests}")
        share = rate / args.ceiling
        print(
            f"achieved rate    {rate:.1f} msg/s = {share:.3f} of the {args.ceiling:g}/s ceiling"
            " (first to last accepted send)"
        )
        print(f"wall time        {finished - started:.1f} s from bot start to the last delivery")
        delivering = cpu_total - (cpu_at_first or 0.0)
        print(
            f"bot CPU          {cpu_total:.1f} s from start to the last delivery; "
            f"{delivering:.1f} s while delivering = {delivering / (last - first):.2f} of a core"
            if len(sends) > 1
            else f"bot CPU          {cpu_total:.1f} s"
        )
        print(f"bot peak RSS     {peak_rss_mb(children=True):.0f} MB")
        if args.paid:
            print(f"allow_paid_broadcast=True on {paid_flag} of {len(sends)} sends")

    store = await open_store(database)
    try:
        counts = await store.outbox.counts(update_id)
        print(
            f"database         sent {counts.sent}, pending {counts.pending}, "
            f"failed {counts.failed}, skipped {counts.skipped}"
        )
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--ceiling", type=float, default=None, help="messages/s (30, or 1000 paid)")
    parser.add_argument("--paid", action="store_true", help="allow_paid_broadcast (1000/s)")
    parser.add_argument("--crash", action="store_true", help="SIGKILL the bot 3 times")
    parser.add_argument("--groups", type=float, default=0.01, help="share of group chats")
    parser.add_argument(
        "--concurrency", type=int, default=None, help="sends in flight (the bot's default)"
    )
    parser.add_argument(
        "--transport",
        choices=("httpcore", "aiohttp"),
        default="httpcore",
        help="the bot's sends over its own httpcore pools (as it ships) or over aiohttp",
    )
    parser.add_argument("--enqueue-only", action="store_true")
    parser.add_argument("--deliver", action="store_true", help="deliver even if it takes hours")
    args = parser.parse_args()
    if args.ceiling is None:
        args.ceiling = 1000.0 if args.paid else 30.0
    if args.concurrency is None:
        args.concurrency = PAID_CONCURRENCY if args.paid else DeliveryLimits().concurrency

    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "broadcast.sqlite3"
        store = await open_store(database)
        try:
            await add_subscribers(store, args.subscribers, args.groups)
            rss_before = peak_rss_mb()
            started = time.perf_counter()
            published = await publish(store, Announcement("news", BODY))
            took = time.perf_counter() - started
        finally:
            await store.close()
        print(
            f"enqueue          {published.queued} deliveries in {took:.2f} s, one transaction "
            f"(peak RSS {peak_rss_mb():.0f} MB; {rss_before:.0f} MB before)"
        )
        estimate = args.subscribers / args.ceiling
        if args.enqueue_only or (estimate > DELIVER_AT_MOST_SECONDS and not args.deliver):
            if not args.enqueue_only:
                print(
                    f"(delivery skipped: {estimate / 3600:.1f} h at {args.ceiling:g}/s; --deliver)"
                )
            return
        with harness_gc_paused():
            await broadcast(database, args, published.update_id)


if __name__ == "__main__":
    asyncio.run(main())
