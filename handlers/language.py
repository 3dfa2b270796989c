"""/lang: a keyboard of the three languages; the choice is saved for the chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.context import BotContext
from bot.i18n import LANGUAGE_NAMES, texts_for
from bot.permissions import may_configure
from bot.replies import replace, reply


async def choose(update: Update, context: BotContext) -> None:
    """The language keyboard, the current language ticked."""
    assert context.chat is not None
    await reply(
        update, context, context.texts("lang.choose"), keyboards.languages(context.chat.language)
    )


async def chosen(update: Update, context: BotContext) -> None:
    """Saves the pressed language and confirms in it."""
    query = update.callback_query
    assert query is not None and context.chat is not None
    values = keyboards.LANGUAGE.parse(query.data)
    if values is None:
        await query.answer()
        return
    if not await may_configure(update, context):
        return
    (language,) = values
    await context.chats.choose_language(context.chat.id, language)
    texts = texts_for(language)
    await query.answer(texts.plain("lang.saved", language=LANGUAGE_NAMES[language]))
    await replace(update, context, texts("lang.saved", language=LANGUAGE_NAMES[language]))


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    CommandHandler(["lang", "language"], choose),
    # Any lang: data: a forged language is answered quietly here.
    CallbackQueryHandler(chosen, pattern=keyboards.LANGUAGE.place()),
]
