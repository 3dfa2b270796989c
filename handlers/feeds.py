"""/feeds for admins: the feeds with their health, `/feeds add URL`, `/feeds remove URL`."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.admin import guard
from bot.context import BotContext
from bot.feeds import admin
from bot.replies import reply

log = logging.getLogger(__name__)


async def feeds(update: Update, context: BotContext) -> None:
    """Admins see the feed list with health, or the result of add/remove; others a refusal."""
    chat_id = update.effective_chat.id if update.effective_chat else None
    admin_id = await guard.require(update, context, "/feeds")
    if admin_id is None:
        return
    texts = context.texts
    match [arg.strip() for arg in context.args or []]:
        case []:
            text = await admin.listing(context.store, texts, context.settings.timezone)
        case ["add", url]:
            text, added = await admin.add(context.store, texts, url, admin_id)
            if added:
                log.info("chat %s: admin %s added a feed", chat_id, admin_id)
                await context.store.audit.record(admin_id, "feed.added", url[:200])
                if context.bot_data.feeds is not None:
                    await context.bot_data.feeds.start_due()  # its first check, right away
        case ["remove", url]:
            text = await admin.remove(context.store, texts, url)
            log.info("chat %s: admin %s removed a feed", chat_id, admin_id)
            await context.store.audit.record(admin_id, "feed.removed", url[:200])
        case _:
            text = texts("feeds.usage.html")
    await reply(update, context, text)


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [CommandHandler("feeds", feeds)]
