"""Publishing channels: which channels get the updates, who added them, and their health.

A channel is also a row of `chats` (type 'channel'), so publishing, the delivery worker and
corrections need nothing channel-specific from here; this repository keeps the channel's
title and @username, who added or removed it, and reads its delivery health.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from storage._time import utcnow_iso
from storage.models import ChatState, Mode
from storage.sql import Db

# Repeated word for word so SQLite uses the partial index deliveries_big_chats (0011).
_BIG = "chat_id <= -1000000000000"


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel as /channels lists it: who it is, how it reads, how its deliveries went."""

    chat_id: int
    title: str
    username: str | None
    added_by: int | None
    language: str
    mode: Mode
    state: ChatState
    last_sent_at: str | None  # ISO 8601 UTC of the last delivery Telegram accepted
    failed: int  # deliveries that failed for good
    skipped: int  # deliveries skipped because the channel could not be written to


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    """One update's deliveries to channels."""

    sent: int
    total: int


def _channel(row: aiosqlite.Row) -> Channel:
    return Channel(
        chat_id=row[0],
        title=row[1],
        username=row[2],
        added_by=row[3],
        language=row[4],
        mode=Mode(row[5]),
        state=ChatState(row[6]),
        last_sent_at=row[7],
        failed=int(row[8] or 0),
        skipped=int(row[9] or 0),
    )


_SELECT = f"""
    SELECT ch.chat_id, ch.title, ch.username, ch.added_by, c.language, c.mode, c.state,
           (SELECT max(sent_at) FROM deliveries
            WHERE chat_id = ch.chat_id AND {_BIG} AND status = 'sent'),
           (SELECT count(*) FROM deliveries
            WHERE chat_id = ch.chat_id AND {_BIG} AND status = 'failed'),
           (SELECT count(*) FROM deliveries
            WHERE chat_id = ch.chat_id AND {_BIG} AND status = 'skipped')
    FROM channels ch JOIN chats c ON c.id = ch.chat_id
"""


class ChannelRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def add(
        self,
        chat_id: int,
        *,
        title: str,
        username: str | None,
        language: str,
        mode: Mode,
        added_by: int | None,
    ) -> None:
        """Make the channel a subscriber in `language` and `mode` (again, if it was removed
        or gone): its chat row and its channel row in one transaction."""
        now = utcnow_iso()
        async with self.db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO chats (id, type, language, language_chosen, mode, state,
                                   first_seen, last_seen)
                VALUES (:id, 'channel', :language, 1, :mode, 'active', :now, :now)
                ON CONFLICT (id) DO UPDATE SET type = 'channel', language = :language,
                    language_chosen = 1, mode = :mode, state = 'active', last_seen = :now
                """,
                {"id": chat_id, "language": language, "mode": mode.value, "now": now},
            )
            await tx.execute(
                """
                INSERT INTO channels (chat_id, title, username, added_by, added_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title,
                    username = excluded.username,
                    added_by = COALESCE(excluded.added_by, channels.added_by),
                    added_at = CASE WHEN channels.removed_at IS NULL THEN channels.added_at
                                    ELSE excluded.added_at END,
                    removed_at = NULL, removed_by = NULL
                """,
                (chat_id, title, username, added_by, now),
            )

    async def joined(self, chat_id: int, *, title: str, username: str | None) -> None:
        """The channel subscribed itself (/subscribe posted in it): list it for the admins."""
        await self.db.execute(
            """
            INSERT INTO channels (chat_id, title, username, added_by, added_at)
            VALUES (?, ?, ?, NULL, ?)
            ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title,
                username = excluded.username, removed_at = NULL, removed_by = NULL
            """,
            (chat_id, title, username, utcnow_iso()),
        )

    async def removed(self, chat_id: int, admin_id: int) -> bool:
        """An admin took the channel off the list; False if it was not on it."""
        await self.db.execute(
            "UPDATE channels SET removed_at = ?, removed_by = ? "
            "WHERE chat_id = ? AND removed_at IS NULL",
            (utcnow_iso(), admin_id, chat_id),
        )
        return int(await self.db.fetchval("SELECT changes()")) > 0

    async def get(self, chat_id: int) -> Channel | None:
        row = await self.db.fetchone(
            f"{_SELECT} WHERE ch.chat_id = ? AND ch.removed_at IS NULL", (chat_id,)
        )
        return None if row is None else _channel(row)

    async def listing(self) -> list[Channel]:
        """The channels on the list, in the order they were added."""
        rows = await self.db.fetchall(
            f"{_SELECT} WHERE ch.removed_at IS NULL ORDER BY ch.added_at, ch.chat_id"
        )
        return [_channel(r) for r in rows]

    async def counts(self, update_id: int) -> ChannelCounts:
        """How many channels the update was queued for, and how many got it."""
        return (await self.counts_of([update_id])).get(update_id, ChannelCounts(sent=0, total=0))

    async def counts_of(self, update_ids: Sequence[int]) -> dict[int, ChannelCounts]:
        """`counts` of each of these updates, in one statement (an update no channel was
        queued for is left out)."""
        if not update_ids:
            return {}
        rows = await self.db.fetchall(
            # From the few channels to their rows, never through the updates' million rows
            # (CROSS JOIN keeps SQLite to that order).
            "SELECT d.update_id, count(*), coalesce(sum(d.status = 'sent'), 0) FROM channels ch "
            "CROSS JOIN deliveries d "
            f"WHERE d.chat_id = ch.chat_id AND d.{_BIG} "
            "AND d.update_id IN (SELECT value FROM json_each(?)) AND d.status != 'cancelled' "
            "GROUP BY d.update_id",
            (json.dumps(list(update_ids)),),
        )
        return {int(u): ChannelCounts(sent=int(sent), total=int(total)) for u, total, sent in rows}
