"""One check of one feed, from the conditional GET to the stored items (steps 1 and 2 of the
package docstring), and the failure's record, backoff and alert."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.feeds.errors import FeedError, Problem, classify
from bot.feeds.fetch import Fetched, Fetcher, NotModified
from bot.feeds.links import display_url, host, normalise_link
from bot.feeds.parse import PARSE_WORKERS, Entry, ParsedFeed, parse
from bot.feeds.poller.schedule import Schedule
from bot.feeds.relevance import Judge
from storage import Store
from storage.feeds import KeptOutItem, iso
from storage.models import Feed

log = logging.getLogger(__name__)

AlertAdmins = Callable[[Feed], Awaitable[None]]


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


class FeedCheck:
    def __init__(
        self,
        store: Store,
        schedule: Schedule,
        fetcher: Fetcher,
        judge: Judge,
        alert_admins: AlertAdmins | None,
    ) -> None:
        self.store = store
        self.schedule = schedule
        self.fetcher = fetcher
        self.judge = judge
        self.alert_admins = alert_admins
        self._parse_slots = asyncio.Semaphore(PARSE_WORKERS)

    async def check(self, feed: Feed, now: dt.datetime) -> CheckResult:
        """One check of `feed`: see the package docstring for the order of steps."""
        try:
            fetched = await self.fetcher.fetch(feed.url, feed.etag, feed.last_modified)
            if isinstance(fetched, NotModified):
                await self.store.feeds.record_not_modified(
                    feed.id, now, self.schedule.next_check(feed, now)
                )
                return CheckResult(feed.id, feed.url, not_modified=True)
            async with self._parse_slots:
                parsed = await parse(fetched.body, fetched.headers, now, self.judge)
            return await self._store(feed, fetched, parsed, now)
        except Exception as exc:
            error = classify(exc)
            if error.problem is Problem.INTERNAL:
                log.error("feed %s: check failed", label(feed), exc_info=exc)
            else:
                log.warning("feed %s: %s", label(feed), error)
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
            log.warning("feed %s: %s", label(feed), warning)
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
                next_check=self.schedule.next_check(feed, now),
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
            log.info("feed %s: %s (rule %s): %s", label(feed), verdict, entry.decision.rule,
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
        options = self.schedule.options
        delay = self.schedule.backoff(feed.error_count + 1)
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, options.max_backoff))
        updated = await self.store.feeds.record_failure(
            feed.id, now=now, next_check=now + delay, problem=error.problem, detail=error.detail
        )
        if (
            updated is not None
            and updated.failing_since is not None
            and now - updated.failing_since >= options.alert_after
            and updated.alerted_at is None
            and self.alert_admins is not None
            and await self.store.feeds.mark_alerted(feed.id, now)
        ):
            # Marked first: admins hear of a streak at most once, even if sending fails.
            try:
                await self.alert_admins(updated)
            except Exception:
                log.exception("feed %s: could not alert the admins", label(feed))


def label(feed: Feed) -> str:
    """How logs name a feed: the id /feeds shows and its URL (secret-looking parts hidden)."""
    return f"#{feed.id} {display_url(feed.url)}"


def _article_key(feed: Feed, entry: Entry) -> str:
    """The news store's key: the link is the same from any feed; other identities are not."""
    link = normalise_link(entry.link)
    return f"feed:{link}" if link else f"feed:{feed.url}#{entry.key}"


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
