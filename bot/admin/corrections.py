"""Fixing messages that went out before an admin corrected the post (or withdrew it: they
then become a note saying so).

Each delivered message is edited in place (editMessageText) where Telegram allows it;
otherwise a short correction follows as a reply to it. A bot may edit its own messages at any
age (Telegram's 48-hour limit is for business messages the bot did not send), but a digest
bundles other updates, and a text split into several messages cannot be edited part by part
with certainty (only the first message id is kept): those get the correction. Any refused
edit is treated the same way.

The messages to fix are queued in the database with the correction (storage.corrections) and
fixed in the background (an edit per subscriber can take minutes), at
ADMIN_CORRECTIONS_PER_SECOND beside the delivery worker's own sending. A restart resumes the
queue; the admin gets one report when the whole update is done (twice if the bot stops
between sending it and clearing the queue). A message being fixed at a kill is fixed again
after the restart, and so is one being fixed while the admin corrects the post again: an
edit is harmless twice, a correction reply then comes twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from enum import Enum
from functools import partial
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import subscriptions
from bot.admin import views
from bot.chats import ChatDirectory
from bot.config import Settings
from bot.delivery.publishing import ChannelFrame, render_update, update_parts
from bot.delivery.textsplit import split_html
from bot.i18n import FALLBACK, Html, texts_for
from bot.replies import NO_PREVIEW
from bot.telegram.errors import Action, classify, not_modified
from storage import Store
from storage.models import ChatState, FinishedCorrection, SentDelivery, UpdateRecord

log = logging.getLogger(__name__)

MAX_TRIES = 3
MAX_FLOOD_WAIT = 60.0
BATCH = 100  # messages read from the queue at a time
RETRY_MAX_SECONDS = 300.0  # after an unexpected error (the database, say), tried again


class Outcome(Enum):
    EDITED = "edited"
    CORRECTED = "corrected"
    UNREACHABLE = "unreachable"  # blocked, gone: nothing more will reach the chat
    FAILED = "failed"


class _Result(Enum):
    OK = "ok"
    REFUSED = "refused"  # Telegram will not do it (too old, not found, ...)
    UNREACHABLE = "unreachable"
    FAILED = "failed"


def editable(delivery: SentDelivery, new_parts: list[str]) -> bool:
    """Whether editing the delivered message in place can give the reader the new text."""
    return not delivery.digest and delivery.parts == 1 and len(new_parts) == 1


def correction_parts(
    texts: dict[str, str],
    language: str,
    withdrawn: bool = False,
    frame: ChannelFrame | None = None,
) -> list[str]:
    """The correction a reader gets: a one-line note, then the corrected update (a withdrawn
    update's text is its own note); in a channel, the corrected post as a whole."""
    body = render_update(texts, language)
    if frame is not None:
        body = frame.post(body, language)
    if withdrawn:
        return split_html(body)
    note = texts_for(language)("admin.correction.html")
    return split_html(Html(f"{note}\n\n{body}"))


class _Pace:
    """At most `rate` calls a second (the delivery worker shares Telegram's limits)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        # The slot is taken before sleeping, so tasks sharing the pace queue up, not burst.
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Corrector:
    def __init__(
        self,
        bot: Bot,
        store: Store,
        chats: ChatDirectory,
        rate: float,
        channel_frame: Callable[[UpdateRecord], ChannelFrame] | None = None,
    ) -> None:
        self._bot = bot
        self._store = store
        self._chats = chats
        self._pace = _Pace(rate)
        self._channel_frame = channel_frame

    async def fix(
        self,
        delivery: SentDelivery,
        texts: dict[str, str],
        withdrawn: bool = False,
        record: UpdateRecord | None = None,
    ) -> Outcome:
        """Give one delivered message the update's new `texts` (`record`: the update, whose
        kind and date frame a channel's post as the delivery worker framed it)."""
        chat_id = delivery.chat_id
        frame = None
        if delivery.chat_type == "channel" and record is not None and self._channel_frame:
            frame = self._channel_frame(record)
        new_parts = update_parts(texts, delivery.language, frame)
        if editable(delivery, new_parts):
            edit = partial(self._edit, chat_id, delivery.message_id, new_parts[0])
            result = await self._call(chat_id, edit)
            if result is _Result.OK:
                return Outcome.EDITED
            if result is _Result.UNREACHABLE:
                return Outcome.UNREACHABLE
        parts = correction_parts(texts, delivery.language, withdrawn, frame)
        for index, part in enumerate(parts):
            reply_to = delivery.message_id if index == 0 else None
            result = await self._call(chat_id, partial(self._send, chat_id, part, reply_to))
            if result is _Result.UNREACHABLE:
                return Outcome.UNREACHABLE
            if result is not _Result.OK:
                return Outcome.FAILED
        return Outcome.CORRECTED

    async def _edit(self, chat_id: int, message_id: int, text: str) -> None:
        await self._bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        )

    async def _send(self, chat_id: int, text: str, reply_to: int | None) -> None:
        await self._bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_parameters=(
                None
                if reply_to is None
                else ReplyParameters(reply_to, allow_sending_without_reply=True)
            ),
        )

    async def _call(self, chat_id: int, make: Callable[[], Awaitable[Any]]) -> _Result:
        """One Bot API call about `chat_id`, paced, with bounded retries."""
        for attempt in range(MAX_TRIES):
            await self._pace.wait()
            try:
                await make()
                return _Result.OK
            except TelegramError as exc:
                if not_modified(exc):  # it already reads so
                    return _Result.OK
                verdict = classify(exc)
                action = verdict.action
            if action is Action.FLOOD:
                await asyncio.sleep(min(verdict.retry_after, MAX_FLOOD_WAIT))
            elif action is Action.RETRY_LATER:
                await asyncio.sleep(2.0**attempt)
            elif action in (Action.BLOCKED, Action.GONE):
                state = ChatState.BLOCKED if action is Action.BLOCKED else ChatState.GONE
                await subscriptions.unreachable(
                    self._chats, self._store, chat_id, state, verdict.error
                )
                return _Result.UNREACHABLE
            else:
                log.info("chat %s: correction refused: %s", chat_id, verdict.error)
                return _Result.REFUSED
        log.warning("chat %s: correction failed after %s tries", chat_id, MAX_TRIES)
        return _Result.FAILED


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
