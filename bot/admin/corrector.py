"""Fixing one delivered message after its update changed: edited in place (editMessageText)
where Telegram allows it, otherwise a short correction sent as a reply to it.

A bot may edit its own messages at any age (Telegram's 48-hour limit is for business messages
the bot did not send), but a digest bundles other updates, and a text split into several
messages cannot be edited part by part with certainty (only the first message id is kept):
those get the correction. Any refused edit is treated the same way. Calls are paced at
ADMIN_CORRECTIONS_PER_SECOND beside the delivery worker's own sending, with bounded retries.
The queue of messages to fix is bot.admin.corrections.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from enum import Enum
from functools import partial
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import subscriptions
from bot.chats import ChatDirectory
from bot.delivery.publishing import ChannelFrame, render_update, update_parts
from bot.delivery.textsplit import split_html
from bot.i18n import Html, texts_for
from bot.replies import NO_PREVIEW
from bot.telegram.errors import Action, classify, not_modified
from storage import Store
from storage.models import ChatState, SentDelivery, UpdateRecord

log = logging.getLogger(__name__)

MAX_TRIES = 3
MAX_FLOOD_WAIT = 60.0


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
            if withdrawn:  # the note names commands, which a channel's readers cannot send
                texts = {lang: texts_for(lang)("channels.withdrawn_note.html") for lang in texts}
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
