"""Plain questions: in private chats, in groups when the bot is @mentioned or replied to, and
inline (`@bot question` in any chat). The answering is bot/answers; this only wires it up."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import asked, callbacks, keyboards
from bot.answers import AnswerKind
from bot.answers.render import inline_results, render_more, reply_to
from bot.context import BotContext
from bot.i18n import detect_language, texts_for
from bot.ops import metrics
from bot.replies import reply
from bot.telegram.errors import not_modified
from handlers import info, language, start, subscription

log = logging.getLogger(__name__)

INLINE_CACHE_SECONDS = 30  # facts change rarely, the status a few times a year
MAX_MORE = 8  # fact ids a "more" button carries (Telegram allows 64 bytes of data)

# Plain words that mean a command (`подписаться`, `help`) run it, as the command would.
COMMANDS: dict[str, Callable[[Update, BotContext], Awaitable[None]]] = {
    "subscribe": subscription.subscribe,
    "unsubscribe": subscription.unsubscribe,
    "help": start.help_command,
    "lang": language.choose,
    "facts": info.facts,
    "news": info.news,
    "status": info.status,
}


class _AddressedToBot(filters.MessageFilter):
    """Text meant for the bot: any in a private chat; in a group only with an @mention of
    the bot or as a reply to one of its messages. Never what the bot itself sent inline."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        if message.via_bot is not None and message.via_bot.id == bot.id:
            return False  # an inline result the user posted: already an answer
        if message.chat.type == "private":
            return True
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        return _mentions(message, bot.username, bot.id)


def _mentions(message: Message, username: str | None, bot_id: int) -> bool:
    for entity, text in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        if entity.type == MessageEntity.TEXT_MENTION:
            if entity.user is not None and entity.user.id == bot_id:
                return True
        elif username and text[1:].lower() == username.lower():
            return True
    return False


def question_text(text: str, username: str | None) -> str:
    """The question without the bot's @mention."""
    if not username:
        return text
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)


async def question(update: Update, context: BotContext) -> None:
    """The answer: matching facts with date and source, the status, or a plain "I have no
    fact on this" with the commands; in the question's language when it clearly differs."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.chat is not None
    text = question_text(message.text, context.bot.username)
    if text.strip():
        answer = await context.answerer.answer(text, context.chat.language)
    else:  # a bare @mention: what the bot knows in short
        answer = await context.answerer.overview(context.chat.language)
    log.debug(
        "chat %s: %s question answered with %s (%s, intent %s)",
        context.chat.id, answer.language, answer.kind, answer.top, answer.intent,
    )  # fmt: skip
    if answer.kind is AnswerKind.COMMAND and answer.command in COMMANDS:
        await COMMANDS[answer.command](update, context)
        return
    metrics.answered(answer.kind)
    answered = await reply_to(answer, context.pages)
    texts = texts_for(answer.language)
    # The question is recorded (no user id) for the editors (/questions); under the reply:
    # "more" when facts were left out, then 👍/👎 or "tell me when the editors answer".
    question_id = asked.new_id(text, answer)
    more = answered.more[:MAX_MORE]
    keyboard = asked.keyboard(texts, question_id, answer, keyboards.more_row(texts, more))
    await reply(update, context, answered.text, keyboard)
    if question_id is not None:
        await asked.record(context.store, question_id, text, answer)


async def more_facts(update: Update, context: BotContext) -> None:
    """The facts a reply left out to fit one screen, as a message of their own; the button
    goes, so it is pressed once."""
    values = keyboards.MORE.parse(await callbacks.answered(update))
    if values is None:
        return  # forged or foreign data
    language, *ids = values
    facts = await context.answerer.facts_by_id([int(i) for i in ids], language)
    if not facts:
        return
    await reply(update, context, await render_more(texts_for(language), facts, context.pages))
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        markup = query.message.reply_markup
        rows = [r for r in (markup.inline_keyboard if markup else ()) if not _is_more(r)]
        try:
            await query.message.edit_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
        except BadRequest as exc:
            if not not_modified(exc):  # pressed twice: the button is already gone
                raise


def _is_more(row: Sequence[InlineKeyboardButton]) -> bool:
    data = [b.callback_data for b in row if isinstance(b.callback_data, str)]
    return any(keyboards.MORE.owns(d) for d in data)


async def inline_question(update: Update, context: BotContext) -> None:
    """Inline results: the matching facts and the status, in the user's language."""
    query = update.inline_query
    assert query is not None
    user = query.from_user
    known = await context.chats.get(user.id)  # the private chat, if the user has one with us
    language = known.language if known is not None else detect_language(user.language_code)
    if query.query.strip():
        answer = await context.answerer.answer(query.query, language)
    else:
        answer = await context.answerer.overview(language)
    results = await inline_results(answer, context.store, context.pages)
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=True)


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    MessageHandler(
        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & _AddressedToBot(),
        question,
    ),
    InlineQueryHandler(inline_question),
    # Any qa: data: forged fact ids are ignored here.
    CallbackQueryHandler(more_facts, pattern=keyboards.MORE.place()),
]
