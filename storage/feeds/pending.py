"""Feed articles stored by a check and waiting for their round's announcement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from storage.feeds.base import FeedRepoBase, iso, published_time, stored_time


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


class PendingArticles(FeedRepoBase):
    async def add_pending(self, feed_id: int, article_ids: Sequence[int], now: dt.datetime) -> None:
        """Articles that wait for the end of the round (call inside the check's transaction)."""
        await self.db.executemany(
            "INSERT OR IGNORE INTO feed_pending (article_id, feed_id, stored_at) VALUES (?, ?, ?)",
            [(article_id, feed_id, iso(now)) for article_id in article_ids],
        )

    async def oldest_pending(self) -> dt.datetime | None:
        return stored_time(await self.db.fetchval("SELECT min(stored_at) FROM feed_pending"))

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
            PendingArticle(r[0], r[1], r[2], r[3], r[4], r[5], published_time(r[6]), r[7])
            for r in rows
        ]
