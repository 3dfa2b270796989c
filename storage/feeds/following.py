"""Which feeds are followed: those of the FEEDS setting and those admins add or remove."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from enum import StrEnum

from storage.feeds.base import FEED_COLUMNS, FeedRepoBase, feed_row, iso
from storage.models import Feed


class Removal(StrEnum):
    REMOVED = "removed"
    MISSING = "missing"
    CONFIGURED = "configured"  # comes from the FEEDS setting; removing it here would not last


class FeedFollowing(FeedRepoBase):
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
        rows = await self.db.fetchall(
            f"SELECT {FEED_COLUMNS} FROM feeds WHERE active = 1 ORDER BY id"
        )
        return [feed_row(r) for r in rows]
