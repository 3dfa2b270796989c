"""The texts a job sends, rendered once per update and language and kept for the next chat.

A broadcast sends the same update to thousands of chats in a handful of languages, so
rendering it for each chat would cost more than sending it. The caches are bounded, and an
admin's correction empties them for that update (see `forget`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.delivery.jobs import Job
from bot.delivery.publishing import ChannelFrame, digest_parts, update_parts
from storage.models import UpdateRecord
from storage.outbox import OutboxRepo

CACHE_SIZE = 256  # updates, and (update, language, to a channel) renderings, kept each


class Renderer:
    """Parts (one per Telegram message) of an update or a digest, as a chat should read it."""

    def __init__(self, bot: Bot, outbox: OutboxRepo, timezone: ZoneInfo) -> None:
        self._bot = bot
        self._outbox = outbox
        self._timezone = timezone
        self._records: OrderedDict[int, UpdateRecord | None] = OrderedDict()
        # (update, language, to a channel) -> the parts it goes out as
        self._rendered: OrderedDict[tuple[int, str, bool], list[str]] = OrderedDict()

    async def parts(self, job: Job) -> list[str] | None:
        """The job's parts; None if one of its updates has no text (any more)."""
        channel = job.to_channel
        key = (job.update_ids[0], job.language, channel)
        if not job.digest and key in self._rendered:
            return self._rendered[key]
        records = [await self._record(update) for update in job.update_ids]
        present = [r for r in records if r is not None]
        if len(present) < len(records):
            return None
        frame = self.channel_frame(present[0]) if channel else None
        if job.digest:
            # Each digest bundles its own set of updates: nothing to share with other chats.
            return digest_parts([r.texts for r in present], job.language, frame)
        parts = update_parts(present[0].texts, job.language, frame)
        self._rendered[key] = parts
        if len(self._rendered) > CACHE_SIZE:
            self._rendered.popitem(last=False)
        return parts

    def channel_frame(self, record: UpdateRecord) -> ChannelFrame:
        """How the update reads as a channel post (a correction of it reads the same)."""
        return ChannelFrame(record.kind, record.created_at, self._bot.username, self._timezone)

    def forget(self, update_id: int, held: Iterable[Job]) -> None:
        """An admin corrected the update: render it again before its next first part.

        A text already partly sent keeps its old rendering, so its parts still fit together.
        """
        self._records.pop(update_id, None)
        for key in [key for key in self._rendered if key[0] == update_id]:
            del self._rendered[key]
        for job in held:
            if update_id in job.update_ids and job.parts_sent == 0:
                job.parts = None

    async def _record(self, update_id: int) -> UpdateRecord | None:
        """The update with its texts (None if it has none), cached."""
        if update_id not in self._records:
            record = await self._outbox.update(update_id)
            self._records[update_id] = record if record and record.texts else None
            if len(self._records) > CACHE_SIZE:
                self._records.popitem(last=False)
        return self._records[update_id]
