"""Near misses the relevance judgement kept out, listed in /feeds for admins to let in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from storage.feeds.base import FeedRepoBase, iso, published_time, stored_time


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


_KEPT_OUT_SELECT = (
    "SELECT k.id, k.feed_id, f.url, f.title, k.item_key, k.rule, k.title, k.summary, k.url, "
    "k.guid, k.language, k.published_at, k.kept_at, k.let_in_at "
    "FROM feed_kept_out k JOIN feeds f ON f.id = k.feed_id"
)


def _kept_out(row: aiosqlite.Row) -> KeptOut:
    item = KeptOutItem(
        row[4], row[5], row[6], row[7], row[8], row[9], row[10], published_time(row[11])
    )
    return KeptOut(
        row[0], row[1], row[2], row[3], item, published_time(row[12]), stored_time(row[13])
    )


class KeptOutItems(FeedRepoBase):
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
