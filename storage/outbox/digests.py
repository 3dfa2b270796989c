"""Digest slots and re-planning: when a digest chat's rows are due, and moving rows still to
go when a chat changes its subscription or the slots are recomputed (TIMEZONE changed)."""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import DigestSlot, Mode
from storage.outbox.base import OPEN, SLOT_JOIN, SLOT_OF_ROW, OutboxBase, OutboxEvent


class DigestPlanning(OutboxBase):
    async def replan_chat(self, chat_id: int, mode: Mode, now: float) -> int:
        """The chat changed its subscription: its rows still to go follow the new mode.

        Off cancels them; instant sends what was waiting for a digest as one digest now;
        daily / weekly move them all to the chat's new digest slot.
        """
        if mode is Mode.OFF:
            await self.db.execute(
                f"UPDATE deliveries SET status = 'cancelled', last_error = 'unsubscribed' "
                f"WHERE chat_id = ? AND {OPEN}",
                (chat_id,),
            )
        elif mode is Mode.INSTANT:
            await self.db.execute(
                f"UPDATE deliveries SET due_at = ?, next_attempt_at = ? "
                f"WHERE chat_id = ? AND {OPEN} AND due_at IS NOT NULL AND parts_sent = 0",
                (now, now, chat_id),
            )
        else:
            due = await self._chat_slot_due(chat_id)
            await self.db.execute(
                f"UPDATE deliveries SET due_at = ?, next_attempt_at = ? "
                f"WHERE chat_id = ? AND {OPEN} AND parts_sent = 0",
                (due if due is not None else now, due if due is not None else now, chat_id),
            )
        changed = await self._changes()
        self._notify(OutboxEvent("replanned", chat_id=chat_id))
        return changed

    async def _chat_slot_due(self, chat_id: int) -> float | None:
        value = await self.db.fetchval(
            f"SELECT s.due_at FROM chats c JOIN digest_slots s ON {SLOT_JOIN} WHERE c.id = ?",
            (chat_id,),
        )
        return None if value is None else float(value)

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
            f"UPDATE deliveries SET due_at = {SLOT_OF_ROW}, next_attempt_at = {SLOT_OF_ROW} "
            f"WHERE {OPEN} AND due_at IS NOT NULL AND parts_sent = 0 "
            f"AND {SLOT_OF_ROW} IS NOT NULL"
        )
        moved = await self._changes()
        self._notify(OutboxEvent("replanned"))
        return moved
