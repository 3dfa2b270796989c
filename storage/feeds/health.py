"""Each feed's schedule and health: when it is due, and what its checks came to (validators,
the error streak, the counters /feeds shows)."""

from __future__ import annotations

import datetime as dt

from storage.feeds.base import FEED_COLUMNS, FeedRepoBase, feed_row, iso
from storage.models import Feed


class FeedHealth(FeedRepoBase):
    async def due(self, now: dt.datetime) -> list[Feed]:
        """Active feeds whose next check has come, longest waiting first."""
        rows = await self.db.fetchall(
            f"SELECT {FEED_COLUMNS} FROM feeds WHERE active = 1 AND next_check_at <= ? "
            "ORDER BY next_check_at, id",
            (iso(now),),
        )
        return [feed_row(r) for r in rows]

    async def due_before(self, moment: dt.datetime) -> bool:
        """Is an active feed due before `moment` (its round is not over yet)?"""
        return bool(
            await self.db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM feeds WHERE active = 1 AND next_check_at < ?)",
                (iso(moment),),
            )
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
