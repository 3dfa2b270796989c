"""Last in line: unknown commands, stickers, photos and other messages no feature handled.

Plain text is a question: handlers/questions.py answers it.
"""

from __future__ import annotations

from telegram import MessageEntity, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.replies import reply


def addressed_to_us(update: Update, context: BotContext) -> bool:
    """A command is ours in a private chat, or in a group when it names this bot (`/x@bot`)."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    entity = next((e for e in message.entities if e.type == MessageEntity.BOT_COMMAND), None)
    if entity is None or entity.offset != 0:
        return False
    command = message.text[: entity.length]
    _, at, target = command.partition("@")
    if at:
        return target.lower() == (context.bot.username or "").lower()
    return message.chat.type == "private"


async def unknown_command(update: Update, context: BotContext) -> None:
    """A short hint pointing at /help; silent for commands meant for other bots."""
    if addressed_to_us(update, context):
        await reply(update, context, context.texts("fallback.unknown_command"))


async def not_text(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice and the like in a private chat: a hint, never an error."""
    await reply(update, context, context.texts("fallback.not_text"))


async def stale_button(update: Update, context: BotContext) -> None:
    """A button no feature knows (an old release's, or forged data): a short notice."""
    assert update.callback_query is not None
    await update.callback_query.answer(context.texts.plain("ops.stale_button"))


_PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command),
    MessageHandler(_PRIVATE_MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL, not_text),
    CallbackQueryHandler(stale_button),
]
