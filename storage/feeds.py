"""Feeds: their schedule and health, the items each has shown (for deduplication), the items
waiting for their round's announcement, and those kept out for admins to let in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiosqlite

from storage.models import Feed
from storage.sql import Db

_COLUMNS = (
    "id, url, origin, title, etag, last_modified, next_check_at, last_checked_at, "
    "last_success_at, last_new_at, error_count, last_problem, last_detail, failing_since, "
    "alerted_at, items_stored, items_skipped"
)
_TIMES = {6, 7, 8, 9, 13, 14}  # column positions holding timestamps


# feed_seen rows kept whatever their age: more than any feed shows at once, so an item still in
# its feed is never judged or announced again.
SEEN_KEEP_PER_FEED = 2000
SEEN_MAX_AGE = dt.timedelta(days=365)  # beyond the newest SEEN_KEEP_PER_FEED, older rows go
KEPT_OUT_MAX_AGE = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PendingArticle:
    """A feed article stored by a check, waiting for the round's announcement."""

    article_id: int
    feed_id: int
    source: str
    title: str
    body: str
    url: str | None
    published_at: dt.datetime
    language: str


@dataclass(frozen=True, slots=True)
class KeptOutItem:
    """A new item the relevance judgement kept out; `rule` is the one that decided."""

    item_key: str
    rule: str
    title: str
    summary: str
    url: str | None
    guid: str | None
    language: str
    published_at: dt.datetime


@dataclass(frozen=True, slots=True)
class KeptOut:
    id: int
    feed_id: int
    feed_url: str
    feed_title: str | None
    item: KeptOutItem
    kept_at: dt.datetime
    let_in_at: dt.datetime | None


class Removal(StrEnum):
    REMOVED = "removed"
    MISSING = "missing"
    CONFIGURED = "configured"  # comes from the FEEDS setting; removing it here would not last


def iso(moment: dt.datetime) -> str:
    """Stored form of a time: ISO 8601 UTC, seconds; sorts as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _time(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _feed(row: aiosqlite.Row) -> Feed:
    values: list[Any] = [(_time(v) if i in _TIMES else v) for i, v in enumerate(row)]
    return Feed(*values)


class FeedRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def sync_configured(self, urls: Sequence[str], now: dt.datetime) -> None:
        """Feeds of the FEEDS setting exist and are active; those dropped from it are not."""
        async with self.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO feeds (url, origin, next_check_at, created_at) "
                "VALUES (?, 'config', ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET origin = 'config', active = 1",
                [(url, iso(now), iso(now)) for url in urls],
            )
            await tx.execute(
                "UPDATE feeds SET active = 0 WHERE origin = 'config' "
                "AND url NOT IN (SELECT value FROM json_each(?))",
                (json.dumps(list(urls)),),
            )

    async def add(self, url: str, added_by: int | None, now: dt.datetime) -> bool:
        """Start following `url` (again: its seen items are remembered); False if followed."""
        async with self.db.transaction() as tx:
            active = await tx.fetchval("SELECT active FROM feeds WHERE url = ?", (url,))
            if active:
                return False
            await tx.execute(
                "INSERT INTO feeds (url, origin, added_by, next_check_at, created_at) "
                "VALUES (?, 'admin', ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET origin = 'admin', active = 1, "
                "added_by = excluded.added_by, next_check_at = excluded.next_check_at, "
                "error_count = 0, failing_since = NULL, alerted_at = NULL, "
                "last_problem = NULL, last_detail = NULL",
                (url, added_by, iso(now), iso(now)),
            )
            return True

    async def remove(self, url: str) -> Removal:
        async with self.db.transaction() as tx:
            origin = await tx.fetchval(
                "SELECT origin FROM feeds WHERE url = ? AND active = 1", (url,)
            )
            if origin is None:
                return Removal.MISSING
            if origin == "config":
                return Removal.CONFIGURED
            await tx.execute("UPDATE feeds SET active = 0 WHERE url = ?", (url,))
            return Removal.REMOVED

    async def active(self) -> list[Feed]:
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM feeds WHERE active = 1 ORDER BY id")
        return [_feed(r) for r in rows]

    async def get(self, feed_id: int) -> Feed | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM feeds WHERE id = ?", (feed_id,))
        return None if row is None else _feed(row)

    async def due(self, now: dt.datetime) -> list[Feed]:
        """Active feeds whose next check has come, longest waiting first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM feeds WHERE active = 1 AND next_check_at <= ? "
            "ORDER BY next_check_at, id",
            (iso(now),),
        )
        return [_feed(r) for r in rows]

    async def unseen(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Those of `keys` the feed has never shown before."""
        rows = await self.db.fetchall(
            "SELECT value FROM json_each(?) WHERE NOT EXISTS "
            "(SELECT 1 FROM feed_seen WHERE feed_id = ? AND item_key = value)",
            (json.dumps(list(keys)), feed_id),
        )
        return {str(r[0]) for r in rows}

    async def mark_seen(self, feed_id: int, keys: Sequence[str], now: dt.datetime) -> None:
        await self.db.executemany(
            "INSERT OR IGNORE INTO feed_seen (feed_id, item_key, first_seen) VALUES (?, ?, ?)",
            [(feed_id, key, iso(now)) for key in keys],
        )

    async def record_success(
        self,
        feed_id: int,
        *,
        now: dt.datetime,
        next_check: dt.datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
        stored: int,
        skipped: int,
        warning: str | None = None,
        detail: str | None = None,
    ) -> None:
        """A check that read the feed: validators saved, error streak over, counters moved."""
        await self.db.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, title = coalesce(?, title), "
            "next_check_at = ?, last_checked_at = ?, last_success_at = ?, "
            "last_new_at = CASE WHEN ? > 0 THEN ? ELSE last_new_at END, "
            "items_stored = items_stored + ?, items_skipped = items_skipped + ?, "
            "error_count = 0, failing_since = NULL, alerted_at = NULL, "
            "last_problem = ?, last_detail = ? WHERE id = ?",
            (
                etag, last_modified, title, iso(next_check), iso(now), iso(now),
                stored, iso(now), stored, skipped, warning, detail, feed_id,
            ),
        )  # fmt: skip

    async def record_not_modified(
        self, feed_id: int, now: dt.datetime, next_check: dt.datetime
    ) -> None:
        await self.db.execute(
            "UPDATE feeds SET next_check_at = ?, last_checked_at = ?, last_success_at = ?, "
            "last_problem = CASE WHEN error_count > 0 THEN NULL ELSE last_problem END, "
            "last_detail = CASE WHEN error_count > 0 THEN NULL ELSE last_detail END, "
            "error_count = 0, failing_since = NULL, alerted_at = NULL WHERE id = ?",
            (iso(next_check), iso(now), iso(now), feed_id),
        )

    async def record_failure(
        self,
        feed_id: int,
        *,
        now: dt.datetime,
        next_check: dt.datetime,
        problem: str,
        detail: str,
    ) -> Feed | None:
        """One more failure in the streak; returns the feed as it now stands."""
        await self.db.execute(
            "UPDATE feeds SET next_check_at = ?, last_checked_at = ?, "
            "error_count = error_count + 1, failing_since = coalesce(failing_since, ?), "
            "last_problem = ?, last_detail = ? WHERE id = ?",
            (iso(next_check), iso(now), iso(now), problem, detail, feed_id),
        )
        return await self.get(feed_id)

    async def mark_alerted(self, feed_id: int, now: dt.datetime) -> bool:
        """Note that admins were told of the current streak; False if someone already did."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE feeds SET alerted_at = ? "
                "WHERE id = ? AND alerted_at IS NULL AND failing_since IS NOT NULL",
                (iso(now), feed_id),
            )
            return bool(await tx.fetchval("SELECT changes()"))

    async def add_pending(self, feed_id: int, article_ids: Sequence[int], now: dt.datetime) -> None:
        """Articles that wait for the end of the round (call inside the check's transaction)."""
        await self.db.executemany(
            "INSERT OR IGNORE INTO feed_pending (article_id, feed_id, stored_at) VALUES (?, ?, ?)",
            [(article_id, feed_id, iso(now)) for article_id in article_ids],
        )

    async def oldest_pending(self) -> dt.datetime | None:
        return _time(await self.db.fetchval("SELECT min(stored_at) FROM feed_pending"))

    async def take_pending(self) -> list[PendingArticle]:
        """The waiting articles, removed from the queue: call inside the announcing transaction,
        so they are back if the announcement fails."""
        rows = await self.db.fetchall(
            "SELECT a.id, p.feed_id, a.source, a.title, a.body, a.url, a.published_at, "
            "a.language FROM feed_pending p JOIN articles a ON a.id = p.article_id "
            "ORDER BY a.published_at, a.id"
        )
        await self.db.execute("DELETE FROM feed_pending")
        return [
            PendingArticle(r[0], r[1], r[2], r[3], r[4], r[5], _published(r[6]), r[7]) for r in rows
        ]

    async def due_before(self, moment: dt.datetime) -> bool:
        """Is an active feed due before `moment` (its round is not over yet)?"""
        return bool(
            await self.db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM feeds WHERE active = 1 AND next_check_at < ?)",
                (iso(moment),),
            )
        )

    async def keep_out(self, feed_id: int, items: Sequence[KeptOutItem], now: dt.datetime) -> None:
        await self.db.executemany(
            "INSERT OR IGNORE INTO feed_kept_out (feed_id, item_key, rule, title, summary, url, "
            "guid, language, published_at, kept_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    feed_id, i.item_key, i.rule, i.title, i.summary, i.url, i.guid, i.language,
                    iso(i.published_at), iso(now),
                )
                for i in items
            ],
        )  # fmt: skip

    async def kept_out(self, limit: int) -> list[KeptOut]:
        """The most recently kept-out items not let in yet, newest first."""
        rows = await self.db.fetchall(
            f"{_KEPT_OUT_SELECT} WHERE k.let_in_at IS NULL ORDER BY k.kept_at DESC, k.id DESC "
            "LIMIT ?",
            (limit,),
        )
        return [_kept_out(r) for r in rows]

    async def kept_out_item(self, kept_id: int) -> KeptOut | None:
        row = await self.db.fetchone(f"{_KEPT_OUT_SELECT} WHERE k.id = ?", (kept_id,))
        return None if row is None else _kept_out(row)

    async def mark_let_in(
        self, kept_id: int, admin_id: int, article_id: int | None, now: dt.datetime
    ) -> bool:
        """Note who let the item in; False if someone already had."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE feed_kept_out SET let_in_at = ?, let_in_by = ?, article_id = ? "
                "WHERE id = ? AND let_in_at IS NULL",
                (iso(now), admin_id, article_id, kept_id),
            )
            return bool(await tx.fetchval("SELECT changes()"))

    async def prune(self, now: dt.datetime) -> tuple[int, int]:
        """Forget what dedupe no longer needs: per feed, seen keys beyond the newest
        SEEN_KEEP_PER_FEED that are older than SEEN_MAX_AGE; kept-out items older than
        KEPT_OUT_MAX_AGE. Returns the numbers of rows removed from each."""
        seen_cutoff = iso(now - SEEN_MAX_AGE)
        seen = 0
        for feed_id in [r[0] for r in await self.db.fetchall("SELECT id FROM feeds")]:
            async with self.db.transaction() as tx:
                # The feed's N-th newest row: rows older than it and than the cutoff go.
                boundary = await tx.fetchval(
                    "SELECT first_seen FROM feed_seen WHERE feed_id = ? "
                    "ORDER BY first_seen DESC LIMIT 1 OFFSET ?",
                    (feed_id, SEEN_KEEP_PER_FEED - 1),
                )
                if boundary is None:
                    continue
                await tx.execute(
                    "DELETE FROM feed_seen WHERE feed_id = ? AND first_seen < ?",
                    (feed_id, min(boundary, seen_cutoff)),
                )
                seen += int(await tx.fetchval("SELECT changes()") or 0)
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM feed_kept_out WHERE kept_at < ?", (iso(now - KEPT_OUT_MAX_AGE),)
            )
            kept = int(await tx.fetchval("SELECT changes()") or 0)
        return seen, kept


_KEPT_OUT_SELECT = (
    "SELECT k.id, k.feed_id, f.url, f.title, k.item_key, k.rule, k.title, k.summary, k.url, "
    "k.guid, k.language, k.published_at, k.kept_at, k.let_in_at "
    "FROM feed_kept_out k JOIN feeds f ON f.id = k.feed_id"
)


def _published(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _kept_out(row: aiosqlite.Row) -> KeptOut:
    item = KeptOutItem(row[4], row[5], row[6], row[7], row[8], row[9], row[10], _published(row[11]))
    return KeptOut(row[0], row[1], row[2], row[3], item, _published(row[12]), _time(row[13]))
