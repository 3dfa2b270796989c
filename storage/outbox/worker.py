"""The delivery worker's verbs: which rows are due, and what became of each send.

The worker's reads take the writers' lock: the connection is shared, and without the lock the
worker could see (and send) rows of another task's open transaction that then rolls back (a
feed poll publishes inside its own transaction). Never called from inside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from storage._time import utcnow_iso
from storage.models import DueDelivery
from storage.outbox.base import OPEN, OutboxBase, OutboxEvent


@dataclass(frozen=True, slots=True)
class SentMark:
    """One completed delivery (an instant one, or all the rows a digest bundled)."""

    ids: tuple[int, ...]
    chat_id: int
    message_id: int
    language: str
    parts: int
    digest_at: float | None = None  # set for digests: recorded as the chat's last digest


# What a due row carries, in the order _due reads it (one list for both queries below).
_DUE_COLUMNS = """d.id, d.update_id, d.chat_id, c.type, c.language, d.attempts, d.parts_sent,
       d.message_id, d.due_at
FROM deliveries d LEFT JOIN chats c ON c.id = d.chat_id"""


def _due(row: aiosqlite.Row) -> DueDelivery:
    return DueDelivery(
        id=row[0],
        update_id=row[1],
        chat_id=row[2],
        chat_type=row[3] or "private",
        language=row[4] or "ru",
        attempts=row[5],
        parts_sent=row[6],
        message_id=row[7],
        due_at=row[8],
    )


class WorkerVerbs(OutboxBase):
    async def due(self, now: float, limit: int) -> list[DueDelivery]:
        """Pending rows due by `now`, oldest first (by the partial index deliveries_due).

        An instant row waits while an older instant row of its chat is being retried (until
        that one is sent or failed), so a chat reads its updates in the order they were
        published even after a 5xx.
        """
        async with self.db.lock:
            # e.{OPEN} is implied by e.status = 'pending'; spelled out, it lets SQLite use
            # the partial index deliveries_chat instead of scanning older rows.
            rows = await self.db.fetchall(
                f"""
                SELECT {_DUE_COLUMNS}
                WHERE d.status = 'pending' AND d.next_attempt_at <= :now
                  AND (d.due_at IS NOT NULL OR NOT EXISTS (
                        SELECT 1 FROM deliveries e
                        WHERE e.chat_id = d.chat_id AND e.{OPEN} AND e.status = 'pending'
                          AND e.id < d.id AND e.due_at IS NULL AND e.attempts > 0))
                ORDER BY d.next_attempt_at, d.id
                LIMIT :limit
                """,
                {"now": now, "limit": limit},
            )
        return [_due(r) for r in rows]

    async def digest_bundle(self, chat_id: int, now: float) -> list[DueDelivery]:
        """The chat's digest rows due by `now`, oldest first.

        A digest interrupted between its parts is finished first and alone, so the parts
        still to send are the same text as before the interruption.
        """
        async with self.db.lock:
            rows = await self.db.fetchall(
                f"""
                SELECT {_DUE_COLUMNS}
                WHERE d.chat_id = ? AND d.{OPEN} AND d.status = 'pending'
                  AND d.due_at IS NOT NULL AND d.next_attempt_at <= ?
                ORDER BY d.id
                """,
                (chat_id, now),
            )
        bundle = [_due(r) for r in rows]
        started = max((d.parts_sent for d in bundle), default=0)
        return [d for d in bundle if d.parts_sent == started] if started else bundle

    async def next_due_after(self, now: float) -> float | None:
        """When the next pending row that is not due yet becomes due."""
        async with self.db.lock:
            value = await self.db.fetchval(
                "SELECT min(next_attempt_at) FROM deliveries "
                "WHERE status = 'pending' AND next_attempt_at > ?",
                (now,),
            )
        return None if value is None else float(value)

    async def mark_sent(self, marks: Sequence[SentMark]) -> None:
        """Telegram accepted these: one transaction for the lot (the worker groups commits)."""
        sent_at = utcnow_iso()
        async with self.db.transaction() as tx:
            await tx.executemany(
                "UPDATE deliveries SET status = 'sent', message_id = ?, language = ?, "
                "parts_sent = ?, sent_at = ?, last_error = NULL WHERE id = ?",
                [
                    (m.message_id, m.language, m.parts, sent_at, row_id)
                    for m in marks
                    for row_id in m.ids
                ],
            )
            digests = [(m.chat_id, m.digest_at, len(m.ids)) for m in marks if m.digest_at]
            if digests:
                await tx.executemany(
                    "INSERT INTO digest_log (chat_id, last_sent_at, updates) VALUES (?, ?, ?) "
                    "ON CONFLICT (chat_id) DO UPDATE SET last_sent_at = excluded.last_sent_at, "
                    "updates = excluded.updates",
                    digests,
                )

    async def mark_progress(self, ids: Iterable[int], parts_sent: int, message_id: int) -> None:
        """Some parts of a long text went out; a restart continues after them."""
        await self.db.executemany(
            "UPDATE deliveries SET parts_sent = ?, message_id = COALESCE(message_id, ?) "
            "WHERE id = ?",
            [(parts_sent, message_id, row_id) for row_id in ids],
        )

    async def retry_later(self, ids: Iterable[int], attempts: int, at: float, error: str) -> None:
        """Count a failed try and set the next one (rows paused meanwhile stay paused)."""
        await self.db.executemany(
            "UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_error = ? "
            "WHERE id = ? AND status = 'pending'",
            [(attempts, at, error, row_id) for row_id in ids],
        )

    async def fail(self, ids: Iterable[int], error: str, attempts: int | None = None) -> None:
        """Give up on these rows, keeping the error for admins."""
        await self.db.executemany(
            "UPDATE deliveries SET status = 'failed', last_error = ?, "
            "attempts = COALESCE(?, attempts) WHERE id = ? AND status = 'pending'",
            [(error, attempts, row_id) for row_id in ids],
        )

    async def skip_chat(self, chat_id: int, reason: str) -> int:
        """The chat cannot be written to: its rows still to go are skipped."""
        await self.db.execute(
            f"UPDATE deliveries SET status = 'skipped', last_error = ? "
            f"WHERE chat_id = ? AND {OPEN}",
            (reason, chat_id),
        )
        return await self._changes()

    async def follow_chat(self, old_id: int, new_id: int) -> int:
        """The group moved to a new id (supergroup): its rows still to go move with it."""
        await self.db.execute(
            f"UPDATE deliveries SET chat_id = ? WHERE chat_id = ? AND {OPEN}", (new_id, old_id)
        )
        moved = await self._changes()
        self._notify(OutboxEvent("replanned", chat_id=new_id))
        return moved
