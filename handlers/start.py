"""/start and /help: the welcome, the command list, and the `subscribe` deep link."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import keyboards
from bot.commands import help_text
from bot.context import BotContext
from bot.replies import reply
from handlers import subscription
from storage.models import Mode


async def start(update: Update, context: BotContext) -> None:
    """Welcome in the chat's language with buttons; `/start subscribe` subscribes at once."""
    assert context.chat is not None
    texts = context.texts
    if context.args and context.args[0].lower() == "subscribe":
        await subscription.subscribe(update, context)
        return
    subscribed = context.chat.mode is not Mode.OFF
    await reply(update, context, texts("start.welcome.html"), keyboards.welcome(texts, subscribed))


async def help_command(update: Update, context: BotContext) -> None:
    """The commands, one line each, in the chat's language."""
    await reply(update, context, help_text(context.texts))


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    CommandHandler("start", start),
    CommandHandler("help", help_command),
]
