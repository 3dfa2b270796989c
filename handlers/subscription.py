"""/subscribe and /unsubscribe: the chat's subscription, saved."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.context import BotContext
from bot.replies import reply
from storage.models import Mode


async def subscribe(update: Update, context: BotContext) -> None:
    """Subscribes the chat to updates and says so."""
    assert context.chat is not None
    if context.chat.mode is not Mode.OFF:
        await reply(update, context, context.texts("subscribe.already"))
        return
    await context.chats.subscribe(context.chat.id, Mode.INSTANT)
    await reply(update, context, context.texts("subscribe.done"))


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Stops updates for the chat and says so."""
    assert context.chat is not None
    if context.chat.mode is Mode.OFF:
        await reply(update, context, context.texts("unsubscribe.not_subscribed"))
        return
    await context.chats.subscribe(context.chat.id, Mode.OFF)
    await reply(update, context, context.texts("unsubscribe.done"))


async def button(update: Update, context: BotContext) -> None:
    """The welcome message's subscribe / unsubscribe button."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    await query.answer()
    if data is not None and data.argument == "on":
        await subscribe(update, context)
    elif data is not None and data.argument == "off":
        await unsubscribe(update, context)


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    CommandHandler("subscribe", subscribe),
    CommandHandler("unsubscribe", unsubscribe),
    CallbackQueryHandler(button, pattern=callbacks.pattern("sub")),
]
