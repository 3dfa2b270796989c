"""The buttons under an answer: "tell me when the editors answer", 👍 and 👎 (bot.asked)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import asked
from bot.context import BotContext

log = logging.getLogger(__name__)


async def pressed(update: Update, context: BotContext) -> None:
    """A short confirmation; the pressed buttons change to show the choice."""
    query = update.callback_query
    assert query is not None
    texts = context.texts
    parsed = asked.parse(query.data)
    chat = update.effective_chat
    if parsed is None or chat is None:
        await query.answer()
        return
    verb, question_id = parsed
    store = context.store.questions
    if verb == "wait":
        done = await store.wait(question_id, chat.id)
        await query.answer(texts.plain("ask.waiting" if done else "ask.closed"))
    else:
        done = await store.rate(question_id, 1 if verb == "up" else -1)
        await query.answer(texts.plain("ask.thanks" if done else "ask.rated"))
    log.debug("question %s: %s (%s)", question_id, verb, "kept" if done else "ignored")
    message = query.message
    if message is None or not hasattr(message, "reply_markup"):
        return
    try:
        await query.edit_message_reply_markup(asked.after_press(texts, message.reply_markup, verb))
    except BadRequest as exc:  # the message is too old to edit, or already shows it
        log.debug("question %s: buttons not changed: %s", question_id, exc)


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    # Any ask: data, the inert one of a choice made too: answered quietly here.
    CallbackQueryHandler(pressed, pattern=asked.BUTTONS.place()),
]
