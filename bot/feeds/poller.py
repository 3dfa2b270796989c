"""Polling feeds: when each is due, one check from fetch to announcement, and the backoff.

The schedule lives in SQLite (feeds.next_check_at, error_count, validators), so a restart
picks up where it stopped. python-telegram-bot's JobQueue only supplies the heartbeat: every
TICK it calls `start_due`, which starts one task per due feed that is not already being
checked. A slow feed therefore never holds up the others, and no feed is checked twice at once.

One check, and the order that makes it idempotent:
1. fetch (conditional GET) and parse off the event loop; a failure is classified, recorded on
   the feed and backed off; nothing else changes.
2. in ONE transaction: new relevant items go into `articles` (deduplicated there across feeds
   and seeds too), every new item's key goes into `feed_seen`, the feed's validators and next
   check are saved, and `announce` is awaited, so its outbox rows join the same transaction.
   A crash before COMMIT leaves no trace (the validators were not saved either, so the next
   check fetches the same items again); after COMMIT everything is done. An item is thus
   neither announced twice nor lost, and `announce` must only write through the store.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot import metrics
from bot.config import FeedOptions
from bot.feeds import relevance as relevance_module
from bot.feeds.announce import Announce, NewItem
from bot.feeds.errors import FeedError, Problem, classify
from bot.feeds.fetch import Fetched, Fetcher, NotModified
from bot.feeds.links import host, normalise_link
from bot.feeds.parse import PARSE_WORKERS, Entry, ParsedFeed, parse
from storage import Store
from storage.feeds import iso
from storage.models import Feed

log = logging.getLogger(__name__)

TICK = dt.timedelta(seconds=30)
FETCH_CONCURRENCY = 10  # feeds fetched at once
JITTER = 0.05  # share of the interval by which feeds are spread, so they do not all come due

AlertAdmins = Callable[[Feed], Awaitable[None]]
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CheckResult:
    """What one check of a feed came to (for logs, tests and the benchmark)."""

    feed_id: int
    url: str
    not_modified: bool = False
    entries: int = 0
    new: int = 0  # new relevant items stored and announced
    skipped: int = 0  # new items not about the talks
    problem: Problem | None = None  # a failure, or the malformed_recovered warning
    failed: bool = False


class Poller:
    def __init__(
        self,
        store: Store,
        options: FeedOptions,
        announce: Announce,
        alert_admins: AlertAdmins | None = None,
        *,
        fetcher: Fetcher | None = None,
        relevant: Callable[[str], bool] | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.store = store
        self.options = options
        self.announce = announce
        self.alert_admins = alert_admins
        self.fetcher = fetcher or Fetcher(options)
        self.relevant = relevant or relevance_module.default()
        self.clock = clock
        self._running: dict[int, asyncio.Task[CheckResult]] = {}
        self._fetch_slots = asyncio.Semaphore(FETCH_CONCURRENCY)
        self._parse_slots = asyncio.Semaphore(PARSE_WORKERS)

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
        return started

    def _finished(self, task: asyncio.Task[CheckResult]) -> None:
        for feed_id, running in list(self._running.items()):
            if running is task:
                del self._running[feed_id]

    async def run_due(self) -> list[CheckResult]:
        """Check every due feed and wait for all of them."""
        return list(await asyncio.gather(*await self.start_due()))

    async def aclose(self) -> None:
        """Stop checks in flight (their transactions roll back) and close the HTTP client."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.fetcher.aclose()

    async def _check_guarded(self, feed: Feed) -> CheckResult:
        async with self._fetch_slots:
            try:
                return metrics.feed_checked(await self.check(feed))
            except Exception:  # recording the failure failed too: keep the poller alive
                log.exception("feed %s: check could not be recorded", _label(feed))
                return CheckResult(feed.id, feed.url, problem=Problem.INTERNAL, failed=True)

    async def check(self, feed: Feed) -> CheckResult:
        """One check of `feed`: see the module docstring for the order of steps."""
        now = self.clock()
        try:
            fetched = await self.fetcher.fetch(feed.url, feed.etag, feed.last_modified)
            if isinstance(fetched, NotModified):
                await self.store.feeds.record_not_modified(feed.id, now, self._next(feed, now))
                return CheckResult(feed.id, feed.url, not_modified=True)
            async with self._parse_slots:
                parsed = await parse(fetched.body, fetched.headers, now, self.relevant)
            return await self._store(feed, fetched, parsed, now)
        except Exception as exc:
            error = classify(exc)
            if error.problem is Problem.INTERNAL:
                log.error("feed %s: check failed", _label(feed), exc_info=exc)
            else:
                log.warning("feed %s: %s", _label(feed), error)
            await self._record_failure(feed, error, now)
            return CheckResult(feed.id, feed.url, problem=error.problem, failed=True)

    async def _store(
        self, feed: Feed, fetched: Fetched, parsed: ParsedFeed, now: dt.datetime
    ) -> CheckResult:
        repo = self.store.feeds
        unseen = await repo.unseen(feed.id, [e.key for e in parsed.entries])
        fresh = [e for e in parsed.entries if e.key in unseen]
        relevant = sorted((e for e in fresh if e.relevant), key=lambda e: e.published)
        source = parsed.title or host(feed.url)
        warning = parsed.warning
        if warning is not None:
            log.warning("feed %s: %s", _label(feed), warning)
        async with self.store.db.transaction():
            items = []
            for entry in relevant:
                article_id = await self.store.articles.add_from_feed(
                    key=_article_key(feed, entry),
                    source=source,
                    url=entry.link,
                    guid=entry.guid,
                    language=entry.language,
                    title=entry.title,
                    body=entry.summary,
                    published_at=iso(entry.published),
                )
                if article_id is not None:
                    items.append(_new_item(article_id, feed, source, entry))
            await repo.mark_seen(feed.id, [e.key for e in fresh], now)
            await repo.record_success(
                feed.id,
                now=now,
                next_check=self._next(feed, now),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                title=parsed.title,
                stored=len(items),
                skipped=len(fresh) - len(relevant),
                warning=warning.problem if warning else None,
                detail=warning.detail if warning else None,
            )
            if items:
                await self.announce(items)
        if items:
            log.info("feed %s: %s new item(s) announced", _label(feed), len(items))
        return CheckResult(
            feed.id,
            feed.url,
            entries=len(parsed.entries),
            new=len(items),
            skipped=len(fresh) - len(relevant),
            problem=warning.problem if warning else None,
        )

    async def _record_failure(self, feed: Feed, error: FeedError, now: dt.datetime) -> None:
        delay = self.backoff(feed.error_count + 1)
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, self.options.max_backoff))
        updated = await self.store.feeds.record_failure(
            feed.id, now=now, next_check=now + delay, problem=error.problem, detail=error.detail
        )
        if (
            updated is not None
            and updated.failing_since is not None
            and now - updated.failing_since >= self.options.alert_after
            and updated.alerted_at is None
            and self.alert_admins is not None
            and await self.store.feeds.mark_alerted(feed.id, now)
        ):
            # Marked first: admins hear of a streak at most once, even if sending fails.
            try:
                await self.alert_admins(updated)
            except Exception:
                log.exception("feed %s: could not alert the admins", _label(feed))

    @property
    def interval(self) -> dt.timedelta:
        return max(self.options.interval, self.options.min_interval)

    def backoff(self, failures: int) -> dt.timedelta:
        """The wait after `failures` failures in a row: the interval, doubled each time, capped."""
        factor: int = 2 ** min(max(failures - 1, 0), 32)
        return min(self.interval * factor, self.options.max_backoff)

    def _next(self, feed: Feed, now: dt.datetime) -> dt.datetime:
        # A fixed per-feed offset spreads feeds added together over the interval's first 5 %.
        spread = (zlib.crc32(feed.url.encode()) % 1000) / 1000 * JITTER
        return now + self.interval * (1 + spread)


def _label(feed: Feed) -> str:
    """How logs name a feed: its id and host (a full URL may carry an access key)."""
    return f"{feed.id} ({host(feed.url)})"


def _article_key(feed: Feed, entry: Entry) -> str:
    """The news store's key: the link is the same from any feed; other identities are not."""
    link = normalise_link(entry.link)
    return f"feed:{link}" if link else f"feed:{feed.url}#{entry.key}"


def _new_item(article_id: int, feed: Feed, source: str, entry: Entry) -> NewItem:
    return NewItem(
        article_id=article_id,
        feed_id=feed.id,
        source=source,
        title=entry.title,
        summary=entry.summary,
        url=entry.link,
        published=entry.published,
        language=entry.language,
    )
