"""The Poller: every tick it starts the due feeds' checks, and when a round is over it
announces the round's items in one message per chat (step 3 of the package docstring)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence

from bot.config import FeedOptions
from bot.feeds import relevance as relevance_module
from bot.feeds.announce import Announce, NewItem
from bot.feeds.errors import Problem
from bot.feeds.fetch import Fetcher
from bot.feeds.poller import kept_out
from bot.feeds.poller.check import AlertAdmins, CheckResult, FeedCheck, label
from bot.feeds.poller.schedule import ROUND_HOLD, Schedule
from bot.feeds.relevance import Judge
from bot.ops import metrics
from storage import Store
from storage.feeds import KeptOut, PendingArticle
from storage.models import Feed

log = logging.getLogger(__name__)

FETCH_CONCURRENCY = 10  # feeds fetched at once

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Poller:
    def __init__(
        self,
        store: Store,
        options: FeedOptions,
        announce: Announce,
        alert_admins: AlertAdmins | None = None,
        *,
        fetcher: Fetcher | None = None,
        judge: Judge | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.store = store
        self.options = options
        self.announce = announce
        self.fetcher = fetcher or Fetcher(options)
        self.clock = clock  # read at each use: the benchmark moves it
        self.schedule = Schedule(options)
        self._checks = FeedCheck(
            store, self.schedule, self.fetcher, judge or relevance_module.default(), alert_admins
        )
        self._running: dict[int, asyncio.Task[CheckResult]] = {}
        self._fetch_slots = asyncio.Semaphore(FETCH_CONCURRENCY)
        self._rounds: set[asyncio.Task[None]] = set()
        self._announcing = asyncio.Lock()

    @property
    def interval(self) -> dt.timedelta:
        return self.schedule.interval

    @property
    def max_hold(self) -> dt.timedelta:
        """The longest an item waits for the rest of its round."""
        return self.schedule.max_hold

    def backoff(self, failures: int) -> dt.timedelta:
        """The wait after `failures` failures in a row: the interval, doubled each time, capped."""
        return self.schedule.backoff(failures)

    async def sync(self, urls: Sequence[str]) -> None:
        """Follow the feeds of the FEEDS setting (and stop following those dropped from it)."""
        await self.store.feeds.sync_configured(urls, self.clock())

    async def start_due(self) -> list[asyncio.Task[CheckResult]]:
        """Start checking every due feed not already being checked; returns the new tasks."""
        started = []
        for feed in await self.store.feeds.due(self.clock()):
            if feed.id in self._running:
                continue
            task = asyncio.create_task(self._check_guarded(feed), name=f"feed {feed.id}")
            self._running[feed.id] = task
            task.add_done_callback(self._finished)
            started.append(task)
        if started or not self._running:
            # The round's end; with nothing started, it catches up on held items.
            closing = asyncio.create_task(self._end_round(started), name="feeds round")
            self._rounds.add(closing)
            closing.add_done_callback(self._rounds.discard)
        return started

    async def _end_round(self, checks: Sequence[asyncio.Task[CheckResult]]) -> None:
        await asyncio.gather(*checks, return_exceptions=True)
        if any(not task.done() for task in self._running.values()):
            return  # the round still has checks in flight; the last one to finish announces
        try:
            await self.announce_round()
        except Exception:  # the items stay pending; the next round tries again
            log.exception("feeds: the round's announcement failed; its items wait")

    async def announce_round(self) -> int:
        """Announce every pending item in one message per chat, unless a feed of the same round
        is due within ROUND_HOLD (and the oldest has waited less than `max_hold`); returns the
        number of items announced."""
        repo = self.store.feeds
        async with self._announcing:
            oldest = await repo.oldest_pending()
            if oldest is None:
                return 0
            now = self.clock()
            if now - oldest < self.max_hold and await repo.due_before(now + ROUND_HOLD):
                return 0
            async with self.store.db.transaction():
                pending = await repo.take_pending()
                if pending:
                    await self.announce([_pending_item(p) for p in pending])
        if pending:
            feeds = len({p.feed_id for p in pending})
            log.info("feeds: %s new item(s) from %s feed(s) announced", len(pending), feeds)
        return len(pending)

    async def let_in(self, kept_id: int, admin_id: int) -> KeptOut | None:
        """An admin lets a kept-out item in: stored as news and announced at once. None when it
        is unknown or already let in."""
        return await kept_out.let_in(self.store, self.announce, self.clock, kept_id, admin_id)

    async def prune(self) -> None:
        """Housekeeping: forget seen keys and kept-out items that dedupe no longer needs."""
        seen, kept = await self.store.feeds.prune(self.clock())
        if seen or kept:
            log.info("feeds: pruned %s seen key(s) and %s kept-out item(s)", seen, kept)

    def _finished(self, task: asyncio.Task[CheckResult]) -> None:
        for feed_id, running in list(self._running.items()):
            if running is task:
                del self._running[feed_id]

    async def run_due(self) -> list[CheckResult]:
        """Check every due feed and wait for all of them and the end of their round."""
        results = list(await asyncio.gather(*await self.start_due()))
        await asyncio.gather(*self._rounds)
        return results

    async def aclose(self) -> None:
        """Stop checks in flight (their transactions roll back) and close the HTTP client."""
        tasks = [*self._running.values(), *self._rounds]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.fetcher.aclose()

    async def _check_guarded(self, feed: Feed) -> CheckResult:
        async with self._fetch_slots:
            try:
                return metrics.feed_checked(await self.check(feed))
            except Exception:  # recording the failure failed too: keep the poller alive
                log.exception("feed %s: check could not be recorded", label(feed))
                return CheckResult(feed.id, feed.url, problem=Problem.INTERNAL, failed=True)

    async def check(self, feed: Feed) -> CheckResult:
        """One check of `feed`, now: see the package docstring for the order of steps."""
        return await self._checks.check(feed, self.clock())


def _pending_item(pending: PendingArticle) -> NewItem:
    return NewItem(
        article_id=pending.article_id,
        feed_id=pending.feed_id,
        source=pending.source,
        title=pending.title,
        summary=pending.body,
        url=pending.url,
        published=pending.published_at,
        language=pending.language,
    )
