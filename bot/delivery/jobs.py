"""A job: what the delivery worker holds in memory for one message to one chat.

The schedule makes jobs from due rows, the renderer fills in their text, and the outcome of a
send decides whether a job's rows are done, come back later, or leave for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import DueDelivery

# What decides the text a job sends: its updates, its language, and whether it is framed as
# a channel post.
TextKey = tuple[tuple[int, ...], str, bool]


@dataclass(eq=False)
class Job:
    """One message (or, for long texts, a series of parts) to one chat.

    An instant job completes one delivery row; a digest job completes all the rows it
    bundles, with one message.
    """

    chat_id: int
    chat_type: str
    language: str
    ids: tuple[int, ...]
    update_ids: tuple[int, ...]
    digest: bool
    attempts: int
    parts_sent: int
    message_id: int | None
    parts: list[str] | None = None
    migrations: int = 0

    @classmethod
    def of(cls, rows: list[DueDelivery]) -> Job:
        first = rows[0]
        return cls(
            chat_id=first.chat_id,
            chat_type=first.chat_type,
            language=first.language,
            ids=tuple(r.id for r in rows),
            update_ids=tuple(r.update_id for r in rows),
            digest=first.digest,
            attempts=max(r.attempts for r in rows),
            parts_sent=first.parts_sent,
            message_id=first.message_id,
        )

    @property
    def to_channel(self) -> bool:
        return self.chat_type == "channel"

    @property
    def text_key(self) -> TextKey:
        return self.update_ids, self.language, self.to_channel
