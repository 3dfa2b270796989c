"""The items each feed has shown, so none is judged or announced twice, and forgetting what
that deduplication no longer needs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from storage.feeds.base import FeedRepoBase, iso

# feed_seen rows kept whatever their age: more than any feed shows at once, so an item still in
# its feed is never judged or announced again.
SEEN_KEEP_PER_FEED = 2000
SEEN_MAX_AGE = dt.timedelta(days=365)  # beyond the newest SEEN_KEEP_PER_FEED, older rows go
KEPT_OUT_MAX_AGE = dt.timedelta(days=30)


class SeenItems(FeedRepoBase):
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
