"""Fixing messages that went out before an admin corrected the post (or withdrew it: they
then become a note saying so): the queue of messages to fix, worked through in the background.

The messages to fix are queued in the database with the correction (storage.corrections) and
fixed in the background (an edit per subscriber can take minutes), each by bot.admin.corrector
(edited in place where Telegram allows it, else a correction as a reply), at
ADMIN_CORRECTIONS_PER_SECOND beside the delivery worker's own sending. A restart resumes the
queue; the admin gets one report when the whole update is done (twice if the bot stops
between sending it and clearing the queue). A message being fixed at a kill is fixed again
after the restart, and so is one being fixed while the admin corrects the post again: an
edit is harmless twice, a correction reply then comes twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.admin import views
from bot.admin.corrector import Corrector, Outcome, correction_parts, editable
from bot.chats import ChatDirectory
from bot.config import Settings
from bot.delivery.publishing import ChannelFrame
from bot.i18n import FALLBACK, texts_for
from bot.replies import NO_PREVIEW
from storage import Store
from storage.models import FinishedCorrection, UpdateRecord

__all__ = [
    "CorrectionQueue",
    "Corrector",
    "Outcome",
    "correction_parts",
    "editable",
    "start_queue",
]

log = logging.getLogger(__name__)

BATCH = 100  # messages read from the queue at a time
RETRY_MAX_SECONDS = 300.0  # after an unexpected error (the database, say), tried again


Report = Callable[[FinishedCorrection], Awaitable[object]]


class CorrectionQueue:
    """Works through the queued fixes, one task per corrected update."""

    def __init__(self, corrector: Corrector, store: Store, report: Report) -> None:
        self._corrector = corrector
        self._store = store
        self._report = report
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def start(self, update_id: int) -> None:
        """Fix the update's queued messages (a task already at it picks up new ones)."""
        task = self._tasks.get(update_id)
        if task is None or task.done():
            self._tasks[update_id] = asyncio.create_task(
                self._run(update_id), name=f"correct-update-{update_id}"
            )

    async def resume(self) -> None:
        """At start: carry on with what a previous run left queued."""
        for update_id in await self._store.corrections.updates_queued():
            log.info("update %s: resuming its correction", update_id)
            self.start(update_id)

    async def stop(self) -> None:
        """Stop at once; what is left stays queued for the next start."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, update_id: int) -> None:
        corrections = self._store.corrections
        failures = 0
        # Loops while a newer correction of the same update queues messages again.
        while True:
            try:
                await self._fix_queued(update_id)
                finished = await corrections.finish(update_id)
                if finished is not None:
                    await self._finished(finished)
                    await corrections.clear(update_id)  # only once the report is out
                if not await corrections.has_queued(update_id):
                    return
                failures = 0
            except Exception:  # a background task: nobody else would see the failure
                failures += 1
                log.exception("update %s: correcting delivered messages failed", update_id)
                await asyncio.sleep(min(RETRY_MAX_SECONDS, 2.0**failures))

    async def _fix_queued(self, update_id: int) -> None:
        corrections = self._store.corrections
        while batch := await corrections.next(update_id, BATCH):
            # Read after the batch: a newer text queues the batch again (see storage.corrections).
            record = await self._store.outbox.update(update_id)
            texts = record.texts if record is not None else {}
            withdrawn = await self._withdrawn(update_id)
            for fix in batch:
                outcome = (
                    await self._corrector.fix(fix.message, texts, withdrawn, record)
                    if texts
                    else None
                )
                await corrections.done(fix, (outcome or Outcome.FAILED).value)

    async def _withdrawn(self, update_id: int) -> bool:
        post = await self._store.posts.get(update_id)
        return post is not None and post.withdrawn

    async def _finished(self, finished: FinishedCorrection) -> None:
        detail = " ".join(f"{o.value}={finished.outcomes.get(o.value, 0)}" for o in Outcome)
        number = f"#{finished.update_id}"
        await self._store.audit.record(finished.admin_id, "post.corrected", number, detail)
        log.info("update %s: delivered messages corrected (%s)", finished.update_id, detail)
        withdrawn = await self._withdrawn(finished.update_id)
        try:
            await self._report(replace(finished, withdrawn=withdrawn))
        except TelegramError as exc:  # /updates shows the post; the report is a courtesy
            log.warning("chat %s: correction report not delivered: %s", finished.admin_id, exc)


async def start_queue(
    bot: Bot, store: Store, chats: ChatDirectory, settings: Settings
) -> CorrectionQueue:
    """post_init: resume the corrections a previous run left (beside the delivery worker)."""

    async def report(finished: FinishedCorrection) -> None:
        chat = await chats.get(finished.admin_id)
        texts = texts_for(chat.language if chat else FALLBACK)
        await bot.send_message(
            finished.admin_id,
            views.correction_report(texts, finished),
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        )

    rate = settings.admin.corrections_per_second
    timezone = settings.timezone

    def channel_frame(record: UpdateRecord) -> ChannelFrame:  # as the delivery worker frames it
        return ChannelFrame(record.kind, record.created_at, bot.username, timezone)

    corrector = Corrector(bot, store, chats, rate, channel_frame)
    queue = CorrectionQueue(corrector, store, report)
    await queue.resume()
    return queue
