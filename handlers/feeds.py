"""/feeds for admins: the feeds with their health and the items kept out (with "let in"
buttons), `/feeds add URL`, `/feeds remove URL` (or `#N`)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.admin import guard
from bot.context import BotContext
from bot.feeds import admin
from bot.feeds.announce import shorten
from bot.replies import replace, reply
from handlers.admin_routing import Routes

log = logging.getLogger(__name__)


async def feeds(update: Update, context: BotContext) -> None:
    """The feed list with health, or the result of add/remove (audited by bot.feeds.admin)."""
    chat_id = update.effective_chat.id if update.effective_chat else None
    admin_id = guard.admin_id(update)
    texts = context.texts
    keyboard: InlineKeyboardMarkup | None = None
    match [arg.strip() for arg in context.args or []]:
        case []:
            tz = context.settings.timezone
            text, keyboard = await admin.overview(context.store, texts, tz)
        case ["add", url]:
            text, added = await admin.add(context.store, texts, url, admin_id)
            if added:
                log.info("chat %s: admin %s added a feed", chat_id, admin_id)
                if context.bot_data.feeds is not None:
                    await context.bot_data.feeds.start_due()  # its first check, right away
        case ["remove", url]:
            text = await admin.remove(context.store, texts, url, admin_id)
            log.info("chat %s: admin %s removed a feed", chat_id, admin_id)
        case _:
            text = texts("feeds.usage.html")
    await reply(update, context, text, keyboard)


async def let_in(update: Update, context: BotContext) -> None:
    """An admin's "let in" under a kept-out item: it is published as news, and the list
    refreshed in place; forged or stale buttons get a short note."""
    query = update.callback_query
    assert query is not None
    admin_id = guard.admin_id(update)
    texts = context.texts
    press = admin.KEPT.parse(query.data)
    kept_id = press.number() if press is not None else None
    kept = await admin.let_in(context.store, context.bot_data.feeds, kept_id, admin_id)
    if kept is None:
        await query.answer(texts.plain("feeds.let_in.gone"))
    else:
        title = shorten(kept.item.title, admin.LET_IN_TITLE)
        await query.answer(texts.plain("feeds.let_in.done", title=title))
    tz = context.settings.timezone
    await replace(update, context, *await admin.overview(context.store, texts, tz))


def handlers(routes: Routes) -> list[BaseHandler[Update, BotContext, object]]:
    """Registered by handlers.admin; /feeds answers in any chat (an admin's group, too)."""
    return [
        routes.command("feeds", feeds, private=False),
        routes.button(admin.KEPT, ["in"], let_in),
    ]
