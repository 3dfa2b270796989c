"""Feeds: their schedule and health, and the items each has shown (for deduplication)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
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
