"""/status, /timeline, /facts and /news: what is known, each item with its date and source;
and the welcome's buttons for /status, /facts and /lang, one handler each."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks, keyboards
from bot.context import BotContext
from bot.replies import replace, reply
from handlers.language import choose as choose_language

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def status(update: Update, context: BotContext) -> None:
    """The current stage as a progress line, its date and place, source, and the next step."""
    await reply(update, context, await context.pages.status(context.texts))


async def timeline(update: Update, context: BotContext) -> None:
    """Every milestone so far, oldest first."""
    await reply(update, context, await context.pages.timeline(context.texts))


async def facts(update: Update, context: BotContext) -> None:
    """The first page of facts, grouped by topic, with page buttons."""
    page = await context.pages.facts(context.texts)
    keyboard = keyboards.pager(context.texts, keyboards.FACTS_PAGES.prefix, page.number, page.count)
    await reply(update, context, page.text, keyboard)


async def news(update: Update, context: BotContext) -> None:
    """The latest articles: title, date, source and link."""
    page = await context.pages.news(context.texts)
    keyboard = keyboards.pager(context.texts, keyboards.NEWS_PAGES.prefix, page.number, page.count)
    await reply(update, context, page.text, keyboard)


async def turn_page(update: Update, context: BotContext) -> None:
    """The facts or news page whose button was pressed, in place of the current one."""
    raw = await callbacks.answered(update)
    for buttons, render in (
        (keyboards.FACTS_PAGES, context.pages.facts),
        (keyboards.NEWS_PAGES, context.pages.news),
    ):
        if (values := buttons.parse(raw)) is not None:
            page = await render(context.texts, int(values[0]))
            keyboard = keyboards.pager(context.texts, buttons.prefix, page.number, page.count)
            await replace(update, context, page.text, keyboard)


def _menu(verb: str, show: Callback) -> CallbackQueryHandler[BotContext, None]:
    """A welcome button, `menu:<verb>`: the press answered, then what its command shows."""

    async def pressed(update: Update, context: BotContext) -> None:
        await callbacks.answered(update)
        await show(update, context)

    return CallbackQueryHandler(pressed, pattern=keyboards.MENU.pattern(verb, args=0))


async def _menu_forged(update: Update, context: BotContext) -> None:
    """Any other menu: data (forged): answered quietly."""
    await callbacks.answered(update)


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    CommandHandler("status", status),
    CommandHandler("timeline", timeline),
    CommandHandler("facts", facts),
    CommandHandler("news", news),
    CallbackQueryHandler(turn_page, pattern=keyboards.FACTS_PAGES.pattern()),
    CallbackQueryHandler(turn_page, pattern=keyboards.NEWS_PAGES.pattern()),
    _menu("status", status),
    _menu("facts", facts),
    _menu("lang", choose_language),
    # Last: the rest of menu: (forged) is answered quietly here.
    CallbackQueryHandler(_menu_forged, pattern=keyboards.MENU.place()),
]
