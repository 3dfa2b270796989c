"""Guard that runs before every feature: records the chat and resolves its language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.admin import guard as admin_guard
from bot.context import BotContext


async def track_chat(update: Update, context: BotContext) -> None:
    """Nothing visible: remembers the chat so every reply comes in its language.

    Edited messages stop here: answering `/status` again because its typo was fixed would
    look like a doubled reply.
    """
    if update.edited_message or update.edited_channel_post:
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is None:
        return
    user = update.effective_user
    context.chat = await context.chats.seen(
        chat.id, chat.type, user.language_code if user else None
    )
    await admin_guard.keep_menu(update, context)


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [TypeHandler(Update, track_chat)]
