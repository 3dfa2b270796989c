"""What the admins' screens count: updates still going out, outcomes, the common errors.

The screens list several updates at once; the `*_progress` verbs read them all in one
statement (their heads and delivery counts), plus one for their errors when asked, however
many updates are shown.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

from storage.models import DeliveryCounts, DeliveryStatus, ErrorCount, UpdateProgress
from storage.outbox.base import OPEN, OutboxBase
from storage.sql import Params

_UNFINISHED = f"""
    SELECT u.id FROM updates u
    WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.update_id = u.id AND d.{OPEN})
    ORDER BY u.id DESC LIMIT :limit
"""
_LATEST = "SELECT id FROM updates ORDER BY id DESC LIMIT :limit"
_LISTED = "SELECT value FROM json_each(:ids)"
# One column per status, in DeliveryStatus order; an update without rows counts zeros.
_STATUS_COUNTS = ", ".join(f"total(d.status = '{status}')" for status in DeliveryStatus)


class DeliveryStats(OutboxBase):
    async def unfinished(self, limit: int) -> list[int]:
        """Updates with deliveries still to go (pending or paused), newest first."""
        rows = await self.db.fetchall(_UNFINISHED, {"limit": limit})
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

    async def unfinished_progress(self, limit: int) -> list[UpdateProgress]:
        """`unfinished`, each with its delivery counts, newest first."""
        return await self._progress(_UNFINISHED, {"limit": limit}, errors=0)

    async def latest_progress(self, limit: int, errors: int = 0) -> list[UpdateProgress]:
        """The newest updates of every kind with their counts and (up to `errors` of) their
        most common errors, newest first."""
        return await self._progress(_LATEST, {"limit": limit}, errors)

    async def progress(
        self, update_ids: Sequence[int], errors: int = 0
    ) -> dict[int, UpdateProgress]:
        """These updates (those that exist) with their counts and most common errors."""
        if not update_ids:
            return {}
        found = await self._progress(_LISTED, {"ids": json.dumps(list(update_ids))}, errors)
        return {update.id: update for update in found}

    async def _progress(self, which: str, params: Params, errors: int) -> list[UpdateProgress]:
        """The updates `which` selects: one statement for them and their counts (through the
        index deliveries_update, as `counts` does), one more for their errors if asked."""
        rows = await self.db.fetchall(
            f"SELECT u.id, u.kind, u.created_at, {_STATUS_COUNTS} "
            "FROM updates u LEFT JOIN deliveries d ON d.update_id = u.id "
            f"WHERE u.id IN ({which}) GROUP BY u.id ORDER BY u.id DESC",
            params,
        )
        ids = [int(row[0]) for row in rows]
        common = await self._errors_of(ids, errors) if errors and ids else {}
        return [
            UpdateProgress(
                id=int(row[0]),
                kind=row[1],
                created_at=row[2],
                counts=DeliveryCounts(
                    **{s.value: int(n) for s, n in zip(DeliveryStatus, row[3:], strict=True)}
                ),
                errors=tuple(common.get(int(row[0]), ())),
            )
            for row in rows
        ]

    async def _errors_of(self, update_ids: list[int], limit: int) -> dict[int, list[ErrorCount]]:
        """Each update's `limit` most frequent errors, ranked as `common_errors` ranks them."""
        rows = await self.db.fetchall(
            """
            SELECT update_id, last_error, n FROM (
                SELECT update_id, last_error, count(*) AS n,
                       row_number() OVER (PARTITION BY update_id
                                          ORDER BY count(*) DESC, last_error) AS rank
                FROM deliveries
                WHERE update_id IN (SELECT value FROM json_each(?)) AND status = 'failed'
                GROUP BY update_id, last_error)
            WHERE rank <= ? ORDER BY update_id, rank
            """,
            (json.dumps(update_ids), limit),
        )
        found: dict[int, list[ErrorCount]] = defaultdict(list)
        for update_id, error, count in rows:
            found[int(update_id)].append(ErrorCount(error=error or "", count=int(count)))
        return found
