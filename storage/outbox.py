"""The outbox: announced updates and one delivery row per (update, chat), with domain verbs.

Publishing writes the update, its texts and every subscriber's row in one transaction
(INSERT ... SELECT, so a million chats never pass through Python). The delivery worker reads
due rows through the partial index `deliveries_due` and records each outcome here.

Listeners (the worker) are told after each commit that changes what is due, so a new
update goes out at once and a paused one stops at once, without polling; a verb run inside a
larger transaction tells them after its outermost commit, and a rollback tells them nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import aiosqlite

from storage._time import utcnow_iso
from storage.models import (
    DeliveryCounts,
    DeliveryStatus,
    DigestSlot,
    DueDelivery,
    ErrorCount,
    Mode,
    UpdateRecord,
)
from storage.sql import Db

log = logging.getLogger(__name__)

KINDS = ("milestone", "news", "feed")
# Rows that are still to go out (the partial index deliveries_chat covers exactly these).
_OPEN = "status IN ('pending', 'paused')"
# A chat `c` and its digest slot `s` (daily slots have weekday -1).
_SLOT_JOIN = (
    "s.mode = c.mode AND s.hour = c.digest_hour "
    "AND s.weekday = CASE c.mode WHEN 'weekly' THEN c.digest_weekday ELSE -1 END"
)
_SLOT_OF_ROW = (
    f"(SELECT s.due_at FROM chats c JOIN digest_slots s ON {_SLOT_JOIN} "
    "WHERE c.id = deliveries.chat_id)"
)


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """What changed: `queued` / `resumed` / `replanned` mean more may be due now;
    `paused` / `cancelled` mean rows of `update_id` must not be sent any more;
    `edited` means the texts of `update_id` changed (forget any rendered copy)."""

    kind: str
    update_id: int | None = None
    chat_id: int | None = None


Listener = Callable[[OutboxEvent], None]


@dataclass(frozen=True, slots=True)
class SentMark:
    """One completed delivery (an instant one, or all the rows a digest bundled)."""

    ids: tuple[int, ...]
    chat_id: int
    message_id: int
    language: str
    parts: int
    digest_at: float | None = None  # set for digests: recorded as the chat's last digest


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


class OutboxRepo:
    def __init__(self, db: Db) -> None:
        self.db = db
        self._listeners: list[Listener] = []

    # ------------------------------------------------------------------ listeners

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after changes; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self, event: OutboxEvent) -> None:
        """Tell the listeners once the change is committed: inside a caller's transaction,
        after its outermost COMMIT, and not at all if it rolls back (Db.after_commit)."""
        self.db.after_commit(lambda: self._tell(event))

    def _tell(self, event: OutboxEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's bug must not undo a committed publish
                log.exception("outbox listener failed on %s", event)

    # ------------------------------------------------------------------ publishing

    async def publish(
        self,
        *,
        kind: str,
        texts: Mapping[str, str],
        article_id: int | None,
        milestone_id: int | None,
        created_by: int | None,
    ) -> tuple[int, int]:
        """Store the update and queue it for every active subscriber: (update_id, queued).

        Instant chats' rows are due at once (next_attempt_at 0, whatever the clock says);
        digest chats' rows are due at their digest slot (at once if no slot is stored yet).
        """
        async with self.db.transaction() as tx:
            update_id = await tx.execute(
                "INSERT INTO updates (kind, article_id, milestone_id, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, article_id, milestone_id, created_by, utcnow_iso()),
            )
            await tx.executemany(
                "INSERT INTO update_texts (update_id, language, body) VALUES (?, ?, ?)",
                [(update_id, language, body) for language, body in texts.items()],
            )
            await tx.execute(
                f"""
                INSERT INTO deliveries (update_id, chat_id, next_attempt_at, due_at)
                SELECT :update, c.id,
                       CASE WHEN c.mode = 'instant' THEN 0 ELSE COALESCE(s.due_at, 0) END,
                       CASE WHEN c.mode = 'instant' THEN NULL ELSE COALESCE(s.due_at, 0) END
                FROM chats c LEFT JOIN digest_slots s ON {_SLOT_JOIN}
                WHERE c.mode != 'off' AND c.state = 'active'
                """,
                {"update": update_id},
            )
            queued = int(await tx.fetchval("SELECT changes()"))
        self._notify(OutboxEvent("queued", update_id=update_id))
        return update_id, queued

    async def publish_to(
        self,
        *,
        kind: str,
        texts: Mapping[str, str],
        chat_ids: Sequence[int],
        article_id: int | None,
        created_by: int | None,
    ) -> tuple[int, int]:
        """Store an update addressed to these chats only (whatever their subscription), due
        at once: (update_id, queued). Joins the caller's transaction if there is one."""
        async with self.db.transaction() as tx:
            update_id = await tx.execute(
                "INSERT INTO updates (kind, article_id, milestone_id, created_by, created_at) "
                "VALUES (?, ?, NULL, ?, ?)",
                (kind, article_id, created_by, utcnow_iso()),
            )
            await tx.executemany(
                "INSERT INTO update_texts (update_id, language, body) VALUES (?, ?, ?)",
                [(update_id, language, body) for language, body in texts.items()],
            )
            await tx.executemany(
                "INSERT INTO deliveries (update_id, chat_id, next_attempt_at) "
                "SELECT ?, id, 0 FROM chats WHERE id = ? AND state = 'active'",
                [(update_id, chat_id) for chat_id in chat_ids],
            )
            queued = int(
                await tx.fetchval(
                    "SELECT count(*) FROM deliveries WHERE update_id = ?", (update_id,)
                )
            )
        self._notify(OutboxEvent("queued", update_id=update_id))
        return update_id, queued

    async def update(self, update_id: int) -> UpdateRecord | None:
        row = await self.db.fetchone(
            "SELECT id, kind, article_id, milestone_id, created_by, created_at "
            "FROM updates WHERE id = ?",
            (update_id,),
        )
        if row is None:
            return None
        texts = await self.db.fetchall(
            "SELECT language, body FROM update_texts WHERE update_id = ?", (update_id,)
        )
        return UpdateRecord(
            id=row[0],
            kind=row[1],
            texts={language: body for language, body in texts},
            article_id=row[2],
            milestone_id=row[3],
            created_by=row[4],
            created_at=row[5],
        )

    # ------------------------------------------------------------------ the worker's verbs
    #
    # The worker's reads take the writers' lock: the connection is shared, and without the
    # lock the worker could see (and send) rows of another task's open transaction that then
    # rolls back (a feed poll publishes inside its own transaction). Never called from
    # inside a transaction.

    async def due(self, now: float, limit: int) -> list[DueDelivery]:
        """Pending rows due by `now`, oldest first (by the partial index deliveries_due).

        An instant row waits while an older instant row of its chat is being retried (until
        that one is sent or failed), so a chat reads its updates in the order they were
        published even after a 5xx.
        """
        async with self.db.lock:
            # e.{_OPEN} is implied by e.status = 'pending'; spelled out, it lets SQLite use
            # the partial index deliveries_chat instead of scanning older rows.
            rows = await self.db.fetchall(
                f"""
                SELECT d.id, d.update_id, d.chat_id, c.type, c.language, d.attempts,
                       d.parts_sent, d.message_id, d.due_at
                FROM deliveries d LEFT JOIN chats c ON c.id = d.chat_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= :now
                  AND (d.due_at IS NOT NULL OR NOT EXISTS (
                        SELECT 1 FROM deliveries e
                        WHERE e.chat_id = d.chat_id AND e.{_OPEN} AND e.status = 'pending'
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
                SELECT d.id, d.update_id, d.chat_id, c.type, c.language, d.attempts,
                       d.parts_sent, d.message_id, d.due_at
                FROM deliveries d LEFT JOIN chats c ON c.id = d.chat_id
                WHERE d.chat_id = ? AND d.{_OPEN} AND d.status = 'pending'
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
            f"WHERE chat_id = ? AND {_OPEN}",
            (reason, chat_id),
        )
        return await self._changes()

    async def follow_chat(self, old_id: int, new_id: int) -> int:
        """The group moved to a new id (supergroup): its rows still to go move with it."""
        await self.db.execute(
            f"UPDATE deliveries SET chat_id = ? WHERE chat_id = ? AND {_OPEN}", (new_id, old_id)
        )
        moved = await self._changes()
        self._notify(OutboxEvent("replanned", chat_id=new_id))
        return moved

    async def replan_chat(self, chat_id: int, mode: Mode, now: float) -> int:
        """The chat changed its subscription: its rows still to go follow the new mode.

        Off cancels them; instant sends what was waiting for a digest as one digest now;
        daily / weekly move them all to the chat's new digest slot.
        """
        if mode is Mode.OFF:
            await self.db.execute(
                f"UPDATE deliveries SET status = 'cancelled', last_error = 'unsubscribed' "
                f"WHERE chat_id = ? AND {_OPEN}",
                (chat_id,),
            )
        elif mode is Mode.INSTANT:
            await self.db.execute(
                f"UPDATE deliveries SET due_at = ?, next_attempt_at = ? "
                f"WHERE chat_id = ? AND {_OPEN} AND due_at IS NOT NULL AND parts_sent = 0",
                (now, now, chat_id),
            )
        else:
            due = await self._chat_slot_due(chat_id)
            await self.db.execute(
                f"UPDATE deliveries SET due_at = ?, next_attempt_at = ? "
                f"WHERE chat_id = ? AND {_OPEN} AND parts_sent = 0",
                (due if due is not None else now, due if due is not None else now, chat_id),
            )
        changed = await self._changes()
        self._notify(OutboxEvent("replanned", chat_id=chat_id))
        return changed

    async def _chat_slot_due(self, chat_id: int) -> float | None:
        value = await self.db.fetchval(
            f"SELECT s.due_at FROM chats c JOIN digest_slots s ON {_SLOT_JOIN} WHERE c.id = ?",
            (chat_id,),
        )
        return None if value is None else float(value)

    async def _changes(self) -> int:
        # Only meaningful right after a write; aiosqlite runs statements in order.
        return int(await self.db.fetchval("SELECT changes()"))

    # ------------------------------------------------------------------ admin verbs

    async def pause(self, update_id: int) -> int:
        """Hold the update's deliveries that have not gone out yet; returns how many
        (a send already on its way still completes and is recorded as sent)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE deliveries SET status = 'paused' "
                "WHERE update_id = ? AND status = 'pending'",
                (update_id,),
            )
            paused = int(await tx.fetchval("SELECT changes()"))
        self._notify(OutboxEvent("paused", update_id=update_id))
        return paused

    async def resume(self, update_id: int, now: float | None = None) -> int:
        """Send the paused deliveries again; digest rows whose time passed wait for the next."""
        now = time.time() if now is None else now
        async with self.db.transaction() as tx:
            await tx.execute(
                f"""
                UPDATE deliveries SET status = 'pending',
                    next_attempt_at = CASE
                        WHEN due_at IS NULL THEN max(next_attempt_at, :now)
                        WHEN due_at > :now OR parts_sent > 0 THEN max(due_at, next_attempt_at)
                        ELSE COALESCE({_SLOT_OF_ROW}, :now) END,
                    due_at = CASE
                        WHEN due_at IS NULL OR due_at > :now OR parts_sent > 0 THEN due_at
                        ELSE COALESCE({_SLOT_OF_ROW}, :now) END
                WHERE update_id = :update AND status = 'paused'
                """,
                {"update": update_id, "now": now},
            )
            resumed = int(await tx.fetchval("SELECT changes()"))
        self._notify(OutboxEvent("resumed", update_id=update_id))
        return resumed

    async def cancel(self, update_id: int) -> int:
        """Withdraw: the update's deliveries not sent yet (pending or paused) never go out.

        Returns how many it stopped. A send already on its way to Telegram cannot be called
        back: if Telegram accepts it, the worker records it as sent over the cancellation.
        """
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE deliveries SET status = 'cancelled', last_error = 'withdrawn' "
                "WHERE update_id = ? AND status IN ('pending', 'paused')",
                (update_id,),
            )
            cancelled = int(await tx.fetchval("SELECT changes()"))
        self._notify(OutboxEvent("cancelled", update_id=update_id))
        return cancelled

    async def set_texts(self, update_id: int, texts: Mapping[str, str]) -> None:
        """Replace the update's texts (an admin's correction); rows still to go use the new ones."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM update_texts WHERE update_id = ?", (update_id,))
            await tx.executemany(
                "INSERT INTO update_texts (update_id, language, body) VALUES (?, ?, ?)",
                [(update_id, language, body) for language, body in texts.items()],
            )
        self._notify(OutboxEvent("edited", update_id=update_id))

    async def latest(self, limit: int) -> list[UpdateRecord]:
        """The newest updates of every kind, newest first."""
        rows = await self.db.fetchall("SELECT id FROM updates ORDER BY id DESC LIMIT ?", (limit,))
        records = [await self.update(int(r[0])) for r in rows]
        return [r for r in records if r is not None]

    async def unfinished(self, limit: int) -> list[int]:
        """Updates with deliveries still to go (pending or paused), newest first."""
        rows = await self.db.fetchall(
            """
            SELECT u.id FROM updates u
            WHERE EXISTS (SELECT 1 FROM deliveries d
                          WHERE d.update_id = u.id AND d.status IN ('pending', 'paused'))
            ORDER BY u.id DESC LIMIT ?
            """,
            (limit,),
        )
        return [int(r[0]) for r in rows]

    async def counts(self, update_id: int) -> DeliveryCounts:
        rows = await self.db.fetchall(
            "SELECT status, count(*) FROM deliveries WHERE update_id = ? GROUP BY status",
            (update_id,),
        )
        return DeliveryCounts(**{DeliveryStatus(status).value: n for status, n in rows})

    async def common_errors(self, update_id: int | None = None, limit: int = 5) -> list[ErrorCount]:
        """The most frequent errors of failed deliveries, of one update or of all."""
        if update_id is None:
            rows = await self.db.fetchall(
                "SELECT last_error, count(*) AS n FROM deliveries "
                "WHERE status = 'failed' GROUP BY last_error ORDER BY n DESC, last_error LIMIT ?",
                (limit,),
            )
        else:
            rows = await self.db.fetchall(
                "SELECT last_error, count(*) AS n FROM deliveries "
                "WHERE update_id = ? AND status = 'failed' "
                "GROUP BY last_error ORDER BY n DESC, last_error LIMIT ?",
                (update_id, limit),
            )
        return [ErrorCount(error=r[0] or "", count=r[1]) for r in rows]

    # ------------------------------------------------------------------ digest schedule

    async def set_slots(self, slots: Iterable[DigestSlot]) -> None:
        await self.db.executemany(
            "INSERT INTO digest_slots (mode, weekday, hour, due_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (mode, weekday, hour) DO UPDATE SET due_at = excluded.due_at",
            [(s.mode.value, s.weekday, s.hour, s.due_at) for s in slots],
        )

    async def last_digest(self, chat_id: int) -> float | None:
        value = await self.db.fetchval(
            "SELECT last_sent_at FROM digest_log WHERE chat_id = ?", (chat_id,)
        )
        return None if value is None else float(value)

    async def replan_digests(self) -> int:
        """Every digest row still to go moves to its chat's slot as the slots now stand
        (after TIMEZONE changed and the slots were recomputed); returns how many moved."""
        await self.db.execute(
            f"UPDATE deliveries SET due_at = {_SLOT_OF_ROW}, next_attempt_at = {_SLOT_OF_ROW} "
            f"WHERE {_OPEN} AND due_at IS NOT NULL AND parts_sent = 0 "
            f"AND {_SLOT_OF_ROW} IS NOT NULL"
        )
        moved = await self._changes()
        self._notify(OutboxEvent("replanned"))
        return moved
