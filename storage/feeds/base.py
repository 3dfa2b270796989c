"""What the feed repository's parts share: stored times, the feeds row, and the connection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiosqlite

from storage.models import Feed
from storage.sql import Db

FEED_COLUMNS = (
    "id, url, origin, title, etag, last_modified, next_check_at, last_checked_at, "
    "last_success_at, last_new_at, error_count, last_problem, last_detail, failing_since, "
    "alerted_at, items_stored, items_skipped"
)
_TIMES = {6, 7, 8, 9, 13, 14}  # column positions holding timestamps


def iso(moment: dt.datetime) -> str:
    """Stored form of a time: ISO 8601 UTC, seconds; sorts as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def stored_time(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def published_time(value: str) -> dt.datetime:
    """A stored time that may lack its zone (older rows): read as UTC."""
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def feed_row(row: aiosqlite.Row) -> Feed:
    values: list[Any] = [(stored_time(v) if i in _TIMES else v) for i, v in enumerate(row)]
    return Feed(*values)


class FeedRepoBase:
    """The connection, and one feed by id (every part reads it back after a change)."""

    def __init__(self, db: Db) -> None:
        self.db = db

    async def get(self, feed_id: int) -> Feed | None:
        row = await self.db.fetchone(f"SELECT {FEED_COLUMNS} FROM feeds WHERE id = ?", (feed_id,))
        return None if row is None else feed_row(row)
