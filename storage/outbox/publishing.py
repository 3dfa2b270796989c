"""Publishing: an update, its texts and every addressee's delivery row written in one
transaction (INSERT ... SELECT, so a million chats never pass through Python), and the reads
of what was published."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import aiosqlite

from storage._time import utcnow_iso
from storage.models import UpdateRecord
from storage.outbox.base import SLOT_JOIN, OutboxBase, OutboxEvent


class Publishing(OutboxBase):
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
                FROM chats c LEFT JOIN digest_slots s ON {SLOT_JOIN}
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

    async def set_texts(self, update_id: int, texts: Mapping[str, str]) -> None:
        """Replace the update's texts (an admin's correction); rows still to go use the new ones."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM update_texts WHERE update_id = ?", (update_id,))
            await tx.executemany(
                "INSERT INTO update_texts (update_id, language, body) VALUES (?, ?, ?)",
                [(update_id, language, body) for language, body in texts.items()],
            )
        self._notify(OutboxEvent("edited", update_id=update_id))

    async def update(self, update_id: int) -> UpdateRecord | None:
        row = await self.db.fetchone(f"{_SELECT_UPDATE} WHERE id = ?", (update_id,))
        return None if row is None else _record(row)

    async def latest(self, limit: int) -> list[UpdateRecord]:
        """The newest updates of every kind, newest first."""
        rows = await self.db.fetchall(f"{_SELECT_UPDATE} ORDER BY id DESC LIMIT ?", (limit,))
        return [_record(row) for row in rows]


# An update with its texts in one row (a JSON object, language -> body): a list of updates
# is one statement, not one more per update.
_SELECT_UPDATE = """
    SELECT id, kind, article_id, milestone_id, created_by, created_at,
           (SELECT json_group_object(language, body) FROM update_texts WHERE update_id = u.id)
    FROM updates u
"""


def _record(row: aiosqlite.Row) -> UpdateRecord:
    return UpdateRecord(
        id=row[0],
        kind=row[1],
        texts=json.loads(row[6]),
        article_id=row[2],
        milestone_id=row[3],
        created_by=row[4],
        created_at=row[5],
    )
