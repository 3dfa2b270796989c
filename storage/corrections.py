"""Delivered messages to fix after an admin's correction: queued, fixed one by one, reported.

The queue lives in the database (migration 0007) so a restart goes on where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from storage.models import FinishedCorrection, QueuedFix, SentDelivery
from storage.sql import Db

# A delivery whose reader language is not among :unchanged (a JSON list); one sent before
# languages were recorded counts as changed.
_CHANGED = "(language IS NULL OR language NOT IN (SELECT value FROM json_each(:unchanged)))"


class CorrectionRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def queue(
        self,
        update_id: int,
        admin_id: int,
        *,
        renew: bool = True,
        cut_short: bool = False,
        unchanged: Collection[str] = (),
    ) -> int:
        """Queue every message the update went out in; returns how many were queued.

        `renew`: a message queued by an earlier correction is queued again, for the newer
        text (else it is left as it is). `cut_short`: also the first parts of a long text
        whose delivery was cancelled half-way (a withdrawal must reach those readers too).
        `unchanged`: reader languages whose text the correction left as it was; their
        messages are left alone (Telegram would refuse the edit as "not modified").
        """
        async with self.db.transaction() as tx:
            await tx.execute(
                f"""
                INSERT INTO corrections (delivery_id, update_id, admin_id)
                SELECT id, update_id, :admin FROM deliveries
                WHERE update_id = :update
                  AND (status = 'sent'
                       OR (:cut_short AND status = 'cancelled' AND message_id IS NOT NULL))
                  AND {_CHANGED}
                ON CONFLICT (delivery_id) DO UPDATE
                SET revision = revision + 1, outcome = NULL, admin_id = excluded.admin_id
                WHERE :renew
                """,
                {
                    "admin": admin_id,
                    "update": update_id,
                    "cut_short": cut_short,
                    "renew": renew,
                    "unchanged": json.dumps(sorted(unchanged)),
                },
            )
            return int(await tx.fetchval("SELECT changes()"))

    async def count_changed(self, update_id: int, unchanged: Collection[str]) -> int:
        """How many delivered messages a correction leaving `unchanged` as they are would
        fix (what `queue` would queue)."""
        return int(
            await self.db.fetchval(
                "SELECT count(*) FROM deliveries WHERE update_id = :update "
                f"AND status = 'sent' AND {_CHANGED}",
                {"update": update_id, "unchanged": json.dumps(sorted(unchanged))},
            )
        )

    async def updates_queued(self) -> list[int]:
        """Updates with messages still to fix or a report still to send, oldest first
        (resumed at start)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT update_id FROM corrections ORDER BY update_id"
        )
        return [int(r[0]) for r in rows]

    async def has_queued(self, update_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM corrections WHERE update_id = ? AND outcome IS NULL)",
                (update_id,),
            )
        )

    async def next(self, update_id: int, limit: int) -> list[QueuedFix]:
        """The next messages to fix, in delivery order."""
        async with self.db.lock:  # not a row of a correction still being queued
            rows = await self.db.fetchall(
                """
                SELECT c.delivery_id, c.revision, d.chat_id, d.message_id, d.language,
                       d.parts_sent, d.due_at IS NOT NULL, coalesce(t.type, 'private')
                FROM corrections c JOIN deliveries d ON d.id = c.delivery_id
                LEFT JOIN chats t ON t.id = d.chat_id
                WHERE c.update_id = ? AND c.outcome IS NULL
                ORDER BY c.delivery_id LIMIT ?
                """,
                (update_id, limit),
            )
        return [
            QueuedFix(
                delivery_id=r[0],
                revision=r[1],
                message=SentDelivery(
                    chat_id=r[2],
                    message_id=r[3],
                    language=r[4],
                    parts=max(int(r[5]), 1),
                    digest=bool(r[6]),
                    chat_type=str(r[7]),
                ),
            )
            for r in rows
        ]

    async def done(self, fix: QueuedFix, outcome: str) -> None:
        """Record how fixing one message ended, unless it was queued again meanwhile."""
        await self.db.execute(
            "UPDATE corrections SET outcome = ? WHERE delivery_id = ? AND revision = ?",
            (outcome, fix.delivery_id, fix.revision),
        )

    async def finish(self, update_id: int) -> FinishedCorrection | None:
        """When every message of the update is fixed: who asked and the outcomes (the rows
        stay until `clear`, so a report lost to a restart is sent then). None while some
        are still to fix, or when nothing is queued."""
        async with self.db.lock:  # one consistent read beside the writers
            if await self.has_queued(update_id):
                return None
            rows = await self.db.fetchall(
                "SELECT outcome, count(*) FROM corrections WHERE update_id = ? GROUP BY outcome",
                (update_id,),
            )
            admin_id = await self.db.fetchval(
                "SELECT admin_id FROM corrections WHERE update_id = ? "
                "ORDER BY revision DESC, delivery_id DESC LIMIT 1",
                (update_id,),
            )
        if admin_id is None:
            return None
        return FinishedCorrection(update_id, int(admin_id), {str(o): int(n) for o, n in rows})

    async def clear(self, update_id: int) -> None:
        """Forget the fixed messages of a reported correction (not any queued again since)."""
        await self.db.execute(
            "DELETE FROM corrections WHERE update_id = ? AND outcome IS NOT NULL", (update_id,)
        )
