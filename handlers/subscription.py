"""/subscribe, /unsubscribe, /settings and the bot's membership: how and whether updates come.

A chat picks instant updates, a daily digest at an hour, or a weekly digest on a weekday at
an hour, in the TIMEZONE setting. Blocking the bot or removing it from a group stops the
sending; unblocking or adding it back allows it again (my_chat_member updates). The
buttons that make these choices are handled in handlers.subscription_buttons.

A channel subscribes itself when one of its administrators posts /subscribe in it (a
channel_post, which has no sender user: only administrators can post there, and the bot
sees the post only as an administrator itself); `/subscribe kk` also sets its language.
The bot removed from a channel, or left without the right to post, marks it gone.
"""

from __future__ import annotations

import datetime as dt
import logging

from babel.dates import get_day_names, get_timezone_location
from telegram import ChatMember, Update
from telegram.ext import (
    BaseHandler,
    ChatMemberHandler,
    CommandHandler,
    filters,
)

from bot import channels, keyboards, subscriptions
from bot.context import BotContext
from bot.delivery import digests
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, texts_for
from bot.permissions import may_configure
from bot.replies import reply
from storage.models import Chat, ChatState, Mode

_GONE_STATUSES = (ChatMember.BANNED, ChatMember.LEFT)
log = logging.getLogger(__name__)


def zone_name(context: BotContext, language: str) -> str:
    """The TIMEZONE setting as readers know it: its city, in their language."""
    return str(get_timezone_location(context.settings.timezone, locale=language, return_city=True))


def _weekday(language: str, weekday: int) -> str:
    return str(get_day_names("wide", locale=language)[weekday])


def describe(context: BotContext, texts: Texts, chat: Chat, kind: str = "mode") -> Html:
    """The chat's subscription in words: `daily at 09:00 (Almaty)` (`kind` "mode"), or the
    confirmation that it was just set (`kind` "done")."""
    key = f"delivery.{kind}.{chat.mode.value}"
    zone = zone_name(context, texts.language)
    time = f"{chat.digest_hour:02d}:00"
    if chat.mode is Mode.DAILY:
        return texts(key, time=time, zone=zone)
    if chat.mode is Mode.WEEKLY:
        weekday = _weekday(texts.language, chat.digest_weekday)
        return texts(key, weekday=weekday, time=time, zone=zone)
    return texts(key)


async def change_mode(
    context: BotContext, mode: Mode, hour: int | None = None, weekday: int | None = None
) -> Chat:
    """The chat's new mode (and digest time) saved; the chat as it is now."""
    assert context.chat is not None
    await subscriptions.change(
        context.chats,
        context.store,
        context.chat.id,
        mode,
        now=context.bot_data.clock(),
        hour=hour,
        weekday=weekday,
    )
    chat = await context.chats.get(context.chat.id)
    assert chat is not None
    context.chat = chat
    return chat


async def subscribe(update: Update, context: BotContext) -> None:
    """Subscribes at once (instant updates) and offers daily / weekly digests as buttons;
    a subscribed chat sees its current mode and the same buttons."""
    assert context.chat is not None
    if not await may_configure(update, context):
        return
    texts = context.texts
    zone = zone_name(context, texts.language)
    if context.chat.mode is Mode.OFF:
        chat = await change_mode(context, Mode.INSTANT)
        text = texts("delivery.subscribed.html", zone=zone)
    else:
        chat = context.chat
        current = texts("delivery.current", mode=describe(context, texts, chat))
        text = Html(f"{texts('delivery.choose.html', zone=zone)}\n\n{current}")
    await reply(update, context, text, keyboards.subscription_modes(texts, chat.mode))


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Stops updates for the chat and says so."""
    assert context.chat is not None
    if not await may_configure(update, context):
        return
    if context.chat.mode is Mode.OFF:
        await reply(update, context, context.texts("unsubscribe.not_subscribed"))
        return
    await change_mode(context, Mode.OFF)
    await reply(update, context, context.texts("unsubscribe.done"))


async def settings(update: Update, context: BotContext) -> None:
    """The chat's language and subscription (with the next digest), and buttons to change them."""
    assert context.chat is not None
    chat, texts = context.chat, context.texts
    lines = [
        texts(
            "delivery.settings.html",
            language=LANGUAGE_NAMES.get(chat.language, chat.language),
            mode=describe(context, texts, chat),
        )
    ]
    tz = context.settings.timezone
    due = digests.next_digest(
        context.bot_data.clock(), tz, chat.mode, chat.digest_hour, chat.digest_weekday
    )
    if due is not None:
        when = texts.datetime(dt.datetime.fromtimestamp(due, tz))
        lines.append(texts("delivery.settings.next", when=when))
        last = await context.store.outbox.last_digest(chat.id)
        if last is not None:
            when = texts.datetime(dt.datetime.fromtimestamp(last, tz))
            lines.append(texts("delivery.settings.last", when=when))
    keyboard = keyboards.subscription_modes(texts, chat.mode, language=True)
    await reply(update, context, Html("\n".join(lines)), keyboard)


async def channel_subscribe(update: Update, context: BotContext) -> None:
    """In a channel: subscribes it (each update as a post) and says so once, in the channel's
    language; `/subscribe kk|ru|en` also sets that language."""
    chat, message = update.effective_chat, update.effective_message
    assert context.chat is not None and chat is not None and message is not None
    language = next((a.lower() for a in context.args or [] if a.lower() in LANGUAGES), None)
    # Kept as chosen either way: a channel has no language of its own, and the next update
    # about it (my_chat_member, from some administrator) must not switch it to theirs.
    await context.chats.choose_language(chat.id, language or context.chat.language)
    await context.store.channels.joined(
        chat.id, title=chat.title or str(chat.id), username=chat.username
    )
    await subscriptions.reachable(context.chats, chat.id)
    subscribed = context.chat.mode is not Mode.OFF
    if not subscribed:
        await change_mode(context, Mode.INSTANT)
    current = await context.chats.get(chat.id)
    assert current is not None
    context.chat = current
    texts = texts_for(current.language)
    key = "channels.self.already.html" if subscribed else "channels.self.subscribed.html"
    log.info("channel %s: subscribed itself (%s)", chat.id, current.language)
    await reply(update, context, texts(key, language=LANGUAGE_NAMES[current.language]))


async def channel_unsubscribe(update: Update, context: BotContext) -> None:
    """In a channel: no more posts from the bot, said once."""
    assert context.chat is not None
    texts = context.texts
    if context.chat.mode is Mode.OFF:
        await reply(update, context, texts("channels.self.not_subscribed"))
        return
    await change_mode(context, Mode.OFF)
    await reply(update, context, texts("channels.self.unsubscribed"))


async def membership(update: Update, context: BotContext) -> None:
    """Nothing visible: blocking or removing the bot stops sending, adding it back resumes.
    A channel that removed the bot or took its right to post is gone."""
    change = update.my_chat_member
    if change is None:
        return
    chat_id = change.chat.id
    member = change.new_chat_member
    if change.chat.type == change.chat.CHANNEL:
        if channels.may_post(member):
            await subscriptions.reachable(context.chats, chat_id)
        else:
            by = change.from_user.id if change.from_user else "Telegram"
            await channels.lost(
                context.store, context.chats, chat_id, f"bot {member.status} by {by}"
            )
        return
    if member.status in _GONE_STATUSES:
        reason = f"bot {member.status} by {change.from_user.id if change.from_user else 'Telegram'}"
        await subscriptions.unreachable(
            context.chats, context.store, chat_id, ChatState.BLOCKED, reason
        )
    elif member.status != ChatMember.RESTRICTED or getattr(member, "is_member", True):
        await subscriptions.reachable(context.chats, chat_id)


_CHANNEL_POST = filters.UpdateType.CHANNEL_POST

HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    CommandHandler("subscribe", channel_subscribe, filters=_CHANNEL_POST),
    CommandHandler("unsubscribe", channel_unsubscribe, filters=_CHANNEL_POST),
    CommandHandler("subscribe", subscribe),
    CommandHandler("unsubscribe", unsubscribe),
    CommandHandler("settings", settings),
    ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER),
]
