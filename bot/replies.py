"""Sending replies: HTML, split at 4096 characters, the keyboard on the last part."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter

from bot.delivery.textsplit import split_html
from bot.i18n import Html
from bot.ops import metrics
from bot.telegram.errors import not_modified
from bot.telegram.updates import slot_released

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_REPLY_WAIT = 10.0  # a reply later than this is worse than none; delivery has its own queue


class Replying(Protocol):
    """What a reply needs of a handler's context (bot.context.BotContext is one)."""

    @property
    def bot(self) -> Bot: ...


async def reply(
    update: Update,
    context: Replying,
    text: Html,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Answer in the update's chat; waits out one flood limit (429) before giving up."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_html(text)
    sent: Message | None = None
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        for attempt in (1, 2):
            try:
                sent = await context.bot.send_message(
                    chat.id,
                    part,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=markup,
                )
                metrics.replied()
                break
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                if attempt == 2 or seconds > MAX_REPLY_WAIT:
                    raise
                log.warning("chat %s: flood limit, replying in %.0f s", chat.id, seconds)
                async with slot_released():  # other chats need not wait for this one
                    await asyncio.sleep(seconds)
    return sent


async def replace(
    update: Update,
    context: Replying,
    text: Html,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Show `text` in place of the message whose button was pressed (page turns, choices)."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await reply(update, context, text, keyboard)
        return
    try:
        await query.message.edit_text(
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=keyboard,
        )
    except BadRequest as exc:
        # Pressing the same page twice: Telegram refuses an edit that changes nothing.
        if not not_modified(exc):
            raise
