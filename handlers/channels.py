"""/channels for admins: the publishing channels with their health; adding one (`/channels add
@name`, its numeric id, or a post forwarded from it), then its language and mode with buttons;
removing one with a button. Admin-only and audited, like every admin screen."""

from __future__ import annotations

import logging
from collections.abc import Collection

from babel.dates import get_timezone_location
from telegram import MessageOriginChannel, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import channels
from bot.admin import channels as screens
from bot.admin import guard
from bot.context import BotContext
from bot.replies import replace, reply

log = logging.getLogger(__name__)

DIGEST_HOUR = 9  # a daily channel's digest hour (the chats table's default)


def _zone(context: BotContext) -> str:
    location = get_timezone_location(
        context.settings.timezone, locale=context.texts.language, return_city=True
    )
    return str(location)


async def _offer(update: Update, context: BotContext, typed: str | int) -> None:
    """Check the channel with Telegram; ask its language, or say why it cannot be added."""
    texts = context.texts
    target = typed if isinstance(typed, int) else channels.parse_target(typed)
    found = (
        await channels.inspect(context.bot, target)
        if target is not None
        else channels.Problem.BAD_NAME
    )
    if isinstance(found, channels.Problem):
        shown = str(typed)[:64]
        await reply(update, context, texts(f"channels.problem.{found.value}", name=shown))
        return
    await reply(update, context, *screens.ask_language(texts, found))


async def channels_command(update: Update, context: BotContext) -> None:
    """The channels with their health; `/channels add @name` (or id) starts adding one."""
    admin_id = await guard.require(update, context, "/channels")
    if admin_id is None:
        return
    match [arg.strip() for arg in context.args or []]:
        case []:
            await _listing(update, context, edit=False)
        case ["add", target]:
            await _offer(update, context, target)
        case _:
            await reply(update, context, context.texts("channels.usage.html"))


async def forwarded(update: Update, context: BotContext) -> None:
    """A post an admin forwarded from a channel: offer to add that channel."""
    if await guard.require(update, context, "/channels") is None:
        return
    message = update.effective_message
    origin = message.forward_origin if message is not None else None
    if not isinstance(origin, MessageOriginChannel):
        return
    await _offer(update, context, origin.chat.id)


async def _listing(update: Update, context: BotContext, *, edit: bool) -> None:
    tz = context.settings.timezone
    found = await context.store.channels.listing()
    screen = screens.listing(context.texts, found, tz, DIGEST_HOUR, _zone(context))
    await (replace if edit else reply)(update, context, *screen)


async def channel_button(update: Update, context: BotContext) -> None:
    """Language, then mode (the channel is added), cancel; remove (asked first), back."""
    query = update.callback_query
    assert query is not None
    admin_id = await guard.require(update, context, "/channels")
    if admin_id is None:
        return
    texts = context.texts
    press = screens.parse(query.data)
    if press is None:
        log.warning("admin %s: unrecognised /channels button %r", admin_id, query.data)
        await query.answer(texts.plain("admin.stale"))
        return
    if press.verb in ("lang", "mode"):
        # Asked again at each step: the rights may have changed, and the id comes from the
        # button, which a client can forge.
        found = await channels.inspect(context.bot, press.chat_id)
        if isinstance(found, channels.Problem):
            await query.answer()
            name = str(press.chat_id)
            await replace(update, context, texts(f"channels.problem.{found.value}", name=name))
            return
        await query.answer()
        if press.verb == "lang" and press.language is not None:
            screen = screens.ask_mode(texts, found, press.language, DIGEST_HOUR, _zone(context))
            await replace(update, context, *screen)
        elif press.language is not None and press.mode is not None:
            await channels.add(
                context.store,
                context.chats,
                found,
                language=press.language,
                mode=press.mode,
                admin_id=admin_id,
                now=context.bot_data.clock(),
            )
            zone = _zone(context)
            text = screens.added(texts, found, press.language, press.mode, DIGEST_HOUR, zone)
            await replace(update, context, text)
        return
    if press.verb == "no":
        await query.answer()
        await replace(update, context, texts("channels.cancelled"))
        return
    if press.verb == "rm":
        channel = await context.store.channels.get(press.chat_id)
        if channel is None:
            await query.answer(texts.plain("admin.stale"))
            return
        await query.answer()
        await replace(update, context, *screens.remove_question(texts, channel))
        return
    if press.verb == "rmyes":
        removed = await channels.remove(
            context.store,
            context.chats,
            press.chat_id,
            admin_id=admin_id,
            now=context.bot_data.clock(),
        )
        await query.answer(texts.plain("channels.removed" if removed else "admin.stale"))
    else:
        await query.answer()
    await _listing(update, context, edit=True)


class _FromChannel(filters.MessageFilter):
    """A message forwarded from a channel."""

    def filter(self, message: object) -> bool:
        return isinstance(getattr(message, "forward_origin", None), MessageOriginChannel)


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    CommandHandler("channels", channels_command, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(channel_button, pattern=screens.CHANNELS.pattern()),
]


def forward_handlers(admin_ids: Collection[int]) -> list[BaseHandler[Update, BotContext, None]]:
    """Admins' posts forwarded from a channel. Registered after the admin conversations (a
    forward into a /post draft is the draft's text) and before questions; anyone else's
    forward is left to the other features, to which it is a question like any text."""
    admins = filters.User(user_id=list(admin_ids))
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [MessageHandler(private & admins & _FromChannel(), forwarded)]
