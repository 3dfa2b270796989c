"""Chats: who talks to the bot, in which language, and what they subscribed to."""

from __future__ import annotations

import aiosqlite

from storage._time import utcnow_iso
from storage.models import Chat, ChatCount, ChatState, Mode
from storage.sql import Db

_COLUMNS = (
    "id, type, language, language_chosen, mode, digest_hour, digest_weekday, state, "
    "first_seen, last_seen"
)


def _chat(row: aiosqlite.Row) -> Chat:
    return Chat(
        id=row[0],
        type=row[1],
        language=row[2],
        language_chosen=bool(row[3]),
        mode=Mode(row[4]),
        digest_hour=row[5],
        digest_weekday=row[6],
        state=ChatState(row[7]),
        first_seen=row[8],
        last_seen=row[9],
    )


class ChatRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def get(self, chat_id: int) -> Chat | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM chats WHERE id = ?", (chat_id,))
        return None if row is None else _chat(row)

    async def seen(self, chat_id: int, chat_type: str, detected_language: str) -> Chat:
        """Record that the chat wrote to us; a language not chosen follows Telegram's."""
        now = utcnow_iso()
        await self.db.execute(
            """
            INSERT INTO chats (id, type, language, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                type = excluded.type,
                last_seen = excluded.last_seen,
                language = CASE WHEN chats.language_chosen THEN chats.language
                                ELSE excluded.language END
            """,
            (chat_id, chat_type, detected_language, now, now),
        )
        chat = await self.get(chat_id)
        assert chat is not None
        return chat

    async def choose_language(self, chat_id: int, language: str) -> None:
        await self.db.execute(
            "UPDATE chats SET language = ?, language_chosen = 1 WHERE id = ?",
            (language, chat_id),
        )

    async def subscribe(
        self,
        chat_id: int,
        mode: Mode,
        *,
        digest_hour: int | None = None,
        digest_weekday: int | None = None,
    ) -> None:
        """Set the subscription mode (and digest time when given); OFF unsubscribes."""
        await self.db.execute(
            """
            UPDATE chats SET mode = ?,
                digest_hour = COALESCE(?, digest_hour),
                digest_weekday = COALESCE(?, digest_weekday)
            WHERE id = ?
            """,
            (mode.value, digest_hour, digest_weekday, chat_id),
        )

    async def set_state(self, chat_id: int, state: ChatState) -> None:
        await self.db.execute("UPDATE chats SET state = ? WHERE id = ?", (state.value, chat_id))

    async def move(self, old_id: int, new_id: int, new_type: str = "supergroup") -> None:
        """The group became a supergroup: its language and subscription move to the new id.

        If the new id already wrote to us, it keeps its own choices unless it had none; the
        old id is then marked gone. Moving an id that no longer exists does nothing.
        """
        async with self.db.transaction() as tx:
            if await tx.fetchval("SELECT 1 FROM chats WHERE id = ?", (old_id,)) is None:
                return
            if await tx.fetchval("SELECT 1 FROM chats WHERE id = ?", (new_id,)) is None:
                await tx.execute(
                    "UPDATE chats SET id = ?, type = ? WHERE id = ?", (new_id, new_type, old_id)
                )
                return
            await tx.execute(
                """
                UPDATE chats SET (language, language_chosen, mode, digest_hour, digest_weekday)
                    = (SELECT language, language_chosen, mode, digest_hour, digest_weekday
                       FROM chats WHERE id = :old)
                WHERE id = :new AND mode = 'off'
                """,
                {"old": old_id, "new": new_id},
            )
            await tx.execute(
                "UPDATE chats SET mode = 'off', state = 'gone' WHERE id = ?", (old_id,)
            )

    async def census(self) -> list[ChatCount]:
        """How many chats have each (language, mode, state), for admins."""
        rows = await self.db.fetchall(
            "SELECT language, mode, state, count(*) FROM chats GROUP BY language, mode, state"
        )
        return [ChatCount(r[0], Mode(r[1]), ChatState(r[2]), int(r[3])) for r in rows]
