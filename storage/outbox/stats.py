"""What the admins' screens count: updates still going out, outcomes, the common errors."""

from __future__ import annotations

from storage.models import DeliveryCounts, DeliveryStatus, ErrorCount
from storage.outbox.base import OutboxBase


class DeliveryStats(OutboxBase):
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
