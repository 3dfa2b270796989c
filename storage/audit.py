"""The audit log: every admin action and every refused attempt, newest first."""

from __future__ import annotations

from storage._time import utcnow_iso
from storage.models import AuditEntry
from storage.sql import Db

DETAIL_LIMIT = 300


class AuditRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def record(self, user_id: int, action: str, subject: str = "", detail: str = "") -> None:
        """Append one entry, stamped now."""
        await self.db.execute(
            "INSERT INTO audit (at, user_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            (utcnow_iso(), user_id, action, subject[:DETAIL_LIMIT], detail[:DETAIL_LIMIT]),
        )

    async def recent(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        rows = await self.db.fetchall(
            "SELECT id, at, user_id, action, subject, detail FROM audit "
            "ORDER BY id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [AuditEntry(*row) for row in rows]

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM audit"))
