"""Polling feeds: when each is due, one check from fetch to announcement, and the backoff.

The schedule lives in SQLite (feeds.next_check_at, error_count, validators), so a restart
picks up where it stopped. python-telegram-bot's JobQueue only supplies the heartbeat: every
TICK it calls `start_due`, which starts one task per due feed that is not already being
checked. A slow feed therefore never holds up the others, and no feed is checked twice at once.

One check, and the order that makes it idempotent:
1. fetch (conditional GET) and parse off the event loop; a failure is classified, recorded on
   the feed and backed off; nothing else changes.
2. in ONE transaction: new relevant items go into `articles` (deduplicated there across feeds
   and seeds too) and into `feed_pending`, the near misses into `feed_kept_out` (for /feeds),
   every new item's key into `feed_seen`, and the feed's validators and next check are saved.
   A crash before COMMIT leaves no trace (the validators were not saved either, so the next
   check fetches the same items again).
3. when the round is over (no check in flight, no feed due within ROUND_HOLD), in ONE
   transaction: the pending articles are taken and `announce` is awaited with all of them, so
   its outbox rows join that transaction: subscribers get one message per round, not one per
   feed. A crash or a failed announcement leaves them pending for the next round. An item is
   thus neither announced twice nor lost, and `announce` must only write through the store.

Feeds come due spread over the first JITTER of the interval, so one round's checks start in a
few ticks; the announcement waits for the last of them (at most MAX_HOLD).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.config import FeedOptions
from bot.feeds import relevance as relevance_module
from bot.feeds.announce import Announce, NewItem
from bot.feeds.errors import FeedError, Problem, classify
from bot.feeds.fetch import Fetched, Fetcher, NotModified
from bot.feeds.links import display_url, host, normalise_link
from bot.feeds.parse import PARSE_WORKERS, Entry, ParsedFeed, parse
from bot.feeds.relevance import Judge
from bot.ops import metrics
from storage import Store
from storage.feeds import KeptOut, KeptOutItem, PendingArticle, iso
from storage.models import Feed

log = logging.getLogger(__name__)

TICK = dt.timedelta(seconds=30)
FETCH_CONCURRENCY = 10  # feeds fetched at once
JITTER = 0.05  # share of the interval by which feeds are spread, so they do not all come due
ROUND_HOLD = TICK + dt.timedelta(seconds=5)  # a feed due this soon belongs to the same round

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
    kept_out: int = 0  # of those, the near misses listed in /feeds
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
        judge: Judge | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.store = store
        self.options = options
        self.announce = announce
        self.alert_admins = alert_admins
        self.fetcher = fetcher or Fetcher(options)
        self.judge = judge or relevance_module.default()
        self.clock = clock
        self._running: dict[int, asyncio.Task[CheckResult]] = {}
        self._fetch_slots = asyncio.Semaphore(FETCH_CONCURRENCY)
        self._parse_slots = asyncio.Semaphore(PARSE_WORKERS)
        self._rounds: set[asyncio.Task[None]] = set()
        self._announcing = asyncio.Lock()

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

    @property
    def max_hold(self) -> dt.timedelta:
        """The longest an item waits for the rest of its round."""
        return self.interval * JITTER + 2 * TICK

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
        kept = await self.store.feeds.kept_out_item(kept_id)
        if kept is None or kept.let_in_at is not None:
            return None
        item = kept.item
        source = kept.feed_title or host(kept.feed_url)
        async with self.store.db.transaction():
            link = normalise_link(item.url)
            article_id = await self.store.articles.add_from_feed(
                key=f"feed:{link}" if link else f"feed:{kept.feed_url}#{item.item_key}",
                source=source,
                url=item.url,
                guid=item.guid,
                language=item.language,
                title=item.title,
                body=item.summary,
                published_at=iso(item.published_at),
            )
            if not await self.store.feeds.mark_let_in(kept_id, admin_id, article_id, self.clock()):
                return None
            if article_id is not None:  # else the store had it already (from another feed)
                new = NewItem(
                    article_id, kept.feed_id, source, item.title, item.summary, item.url,
                    item.published_at, item.language,
                )  # fmt: skip
                await self.announce([new])
        log.info(
            "feed #%s %s: admin %s let in an item kept out by rule %s",
            kept.feed_id, display_url(kept.feed_url), admin_id, item.rule,
        )  # fmt: skip
        return kept

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
                parsed = await parse(fetched.body, fetched.headers, now, self.judge)
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
        relevant = sorted((e for e in fresh if e.decision.relevant), key=lambda e: e.published)
        near = [e for e in fresh if e.decision.near_miss]
        source = parsed.title or host(feed.url)
        warning = parsed.warning
        if warning is not None:
            log.warning("feed %s: %s", _label(feed), warning)
        async with self.store.db.transaction():
            stored = []
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
                    stored.append(article_id)
            await repo.add_pending(feed.id, stored, now)
            await repo.keep_out(feed.id, [_kept_out(e) for e in near], now)
            await repo.mark_seen(feed.id, [e.key for e in fresh], now)
            await repo.record_success(
                feed.id,
                now=now,
                next_check=self._next(feed, now),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                title=parsed.title,
                stored=len(stored),
                skipped=len(fresh) - len(relevant),
                warning=warning.problem if warning else None,
                detail=warning.detail if warning else None,
            )
        for entry in [*relevant, *near]:  # the decision's rule says why
            verdict = "relevant" if entry.relevant else "kept out"
            log.info("feed %s: %s (rule %s): %s", _label(feed), verdict, entry.decision.rule,
                     entry.title)  # fmt: skip
        return CheckResult(
            feed.id,
            feed.url,
            entries=len(parsed.entries),
            new=len(stored),
            skipped=len(fresh) - len(relevant),
            kept_out=len(near),
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
    """How logs name a feed: the id /feeds shows and its URL (secret-looking parts hidden)."""
    return f"#{feed.id} {display_url(feed.url)}"


def _article_key(feed: Feed, entry: Entry) -> str:
    """The news store's key: the link is the same from any feed; other identities are not."""
    link = normalise_link(entry.link)
    return f"feed:{link}" if link else f"feed:{feed.url}#{entry.key}"


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


def _kept_out(entry: Entry) -> KeptOutItem:
    return KeptOutItem(
        item_key=entry.key,
        rule=entry.decision.rule,
        title=entry.title,
        summary=entry.summary,
        url=entry.link,
        guid=entry.guid,
        language=entry.language,
        published_at=entry.published,
    )
