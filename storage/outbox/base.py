"""What every part of the outbox shares: the change events, the listeners told of them after
commit, and the SQL fragments that find a row's digest slot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from storage.sql import Db

log = logging.getLogger(__name__)

KINDS = ("milestone", "news", "feed")
# Rows that are still to go out (the partial index deliveries_chat covers exactly these).
OPEN = "status IN ('pending', 'paused')"
# A chat `c` and its digest slot `s` (daily slots have weekday -1).
SLOT_JOIN = (
    "s.mode = c.mode AND s.hour = c.digest_hour "
    "AND s.weekday = CASE c.mode WHEN 'weekly' THEN c.digest_weekday ELSE -1 END"
)
SLOT_OF_ROW = (
    f"(SELECT s.due_at FROM chats c JOIN digest_slots s ON {SLOT_JOIN} "
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


class OutboxBase:
    """The connection and the listeners; each group of verbs is a subclass of this."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self._listeners: list[Listener] = []

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

    async def _changes(self) -> int:
        # Only meaningful right after a write; aiosqlite runs statements in order.
        return int(await self.db.fetchval("SELECT changes()"))
