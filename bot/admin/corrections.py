"""Fixing messages that went out before an admin corrected the post.

Each delivered message is edited in place (editMessageText) where Telegram still allows it;
otherwise a short correction follows as a reply to it. A bot cannot edit messages older than
48 hours, a digest bundles other updates, and a text split into several messages cannot be
edited part by part with certainty (only the first message id is kept): those get the
correction. Any refused edit is treated the same way.

This runs as a background task after the correction is saved (an edit per subscriber can take
minutes), at ADMIN_CORRECTIONS_PER_SECOND beside the delivery worker's own sending; the admin
gets a report when it is done. A restart in the middle leaves the rest unfixed (it is
audited as started, and the report never comes).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from enum import Enum
from functools import partial
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import subscriptions
from bot.admin.posting import Correction
from bot.chats import ChatDirectory
from bot.i18n import Html, texts_for
from bot.outbox import render_update, update_parts
from bot.replies import NO_PREVIEW
from bot.telegram_errors import Action, classify, not_modified
from bot.textsplit import split_html
from storage import Store
from storage.models import ChatState, SentDelivery

log = logging.getLogger(__name__)

EDIT_WINDOW = dt.timedelta(hours=48) - dt.timedelta(minutes=5)  # Telegram's limit, with margin
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


def editable(delivery: SentDelivery, new_parts: list[str], now: dt.datetime) -> bool:
    """Whether editing the delivered message in place can give the reader the new text."""
    if delivery.digest or delivery.parts != 1 or len(new_parts) != 1:
        return False
    if delivery.sent_at is None:
        return False
    return now - dt.datetime.fromisoformat(delivery.sent_at) < EDIT_WINDOW


def correction_parts(texts: dict[str, str], language: str) -> list[str]:
    """The correction a reader gets: a one-line note, then the corrected update."""
    note = texts_for(language)("admin.correction.html")
    return split_html(Html(f"{note}\n\n{render_update(texts, language)}"))


class _Pace:
    """At most `rate` calls a second (the delivery worker shares Telegram's limits)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        if self._next > now:
            await asyncio.sleep(self._next - now)
        self._next = max(now, self._next) + self._interval


class Corrector:
    def __init__(self, bot: Bot, store: Store, chats: ChatDirectory, rate: float) -> None:
        self._bot = bot
        self._store = store
        self._chats = chats
        self._pace = _Pace(rate)

    async def fix(self, correction: Correction) -> Counter[Outcome]:
        tally: Counter[Outcome] = Counter()
        texts = dict(correction.texts)
        for delivery in correction.delivered:
            tally[await self._fix_one(delivery, texts)] += 1
        return tally

    async def _fix_one(self, delivery: SentDelivery, texts: dict[str, str]) -> Outcome:
        chat_id = delivery.chat_id
        new_parts = update_parts(texts, delivery.language)
        if editable(delivery, new_parts, dt.datetime.now(dt.UTC)):
            edit = partial(self._edit, chat_id, delivery.message_id, new_parts[0])
            result = await self._call(chat_id, edit)
            if result is _Result.OK:
                return Outcome.EDITED
            if result is _Result.UNREACHABLE:
                return Outcome.UNREACHABLE
        for index, part in enumerate(correction_parts(texts, delivery.language)):
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


async def fix_and_report(
    corrector: Corrector,
    store: Store,
    correction: Correction,
    admin_id: int,
    report: Callable[[Counter[Outcome]], Awaitable[object]],
) -> None:
    """Fix the delivered messages, audit the outcome, and tell the admin."""
    try:
        tally = await corrector.fix(correction)
        detail = " ".join(f"{outcome.value}={tally[outcome]}" for outcome in Outcome)
        await store.audit.record(admin_id, "post.corrected", f"#{correction.update_id}", detail)
        log.info("update %s: delivered messages corrected (%s)", correction.update_id, detail)
        await report(tally)
    except Exception:  # a background task: nobody else would see the failure
        log.exception("update %s: correcting delivered messages failed", correction.update_id)
