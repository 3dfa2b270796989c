"""The admins' hold on one update: pause, resume and withdraw its deliveries not sent yet."""

from __future__ import annotations

import time

from storage.outbox.base import SLOT_OF_ROW, OutboxBase, OutboxEvent


class UpdateControl(OutboxBase):
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
                        ELSE COALESCE({SLOT_OF_ROW}, :now) END,
                    due_at = CASE
                        WHEN due_at IS NULL OR due_at > :now OR parts_sent > 0 THEN due_at
                        ELSE COALESCE({SLOT_OF_ROW}, :now) END
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
