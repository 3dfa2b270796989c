"""Runtime facts as key/value rows: written by the running bot, read by `visatalks health`."""

from __future__ import annotations

from storage._time import utcnow_iso
from storage.sql import Db

LAST_POLL = "last_poll_at"  # ISO 8601 UTC: the last successful exchange with Telegram


class RuntimeRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def put(self, key: str, value: str) -> None:
        await self.db.execute(
            """
            INSERT INTO runtime (key, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                                            updated_at = excluded.updated_at
            """,
            (key, value, utcnow_iso()),
        )

    async def get(self, key: str) -> str | None:
        value = await self.db.fetchval("SELECT value FROM runtime WHERE key = ?", (key,))
        return None if value is None else str(value)
