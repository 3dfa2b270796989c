"""/channels for admins: the publishing channels with their health; adding one (`/channels add
@name`, its numeric id, or a post forwarded from it), then its language and mode with buttons;
removing one with a button. Admin-only (handlers.admin_routing) and audited."""

from __future__ import annotations

import logging

from babel.dates import get_timezone_location
from telegram import MessageOriginChannel, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import channels
from bot.admin import channels as screens
from bot.admin import guard
from bot.channels import Found
from bot.context import BotContext
from bot.replies import replace, reply
from handlers.admin_routing import Routes, stale_button

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
    match [arg.strip() for arg in context.args or []]:
        case []:
            await _listing(update, context, edit=False)
        case ["add", target]:
            await _offer(update, context, target)
        case _:
            await reply(update, context, context.texts("channels.usage.html"))


async def forwarded(update: Update, context: BotContext) -> None:
    """A post an admin forwarded from a channel: offer to add that channel."""
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


def _press(update: Update) -> screens.ChannelPress | None:
    query = update.callback_query
    assert query is not None
    press = screens.parse(query.data)
    if press is None:
        log.warning(
            "admin %s: unrecognised /channels button %r", guard.admin_id(update), query.data
        )
    return press


async def _found(update: Update, context: BotContext, press: screens.ChannelPress) -> Found | None:
    """The channel, asked again at each step: the rights may have changed, and the id comes
    from the button, which a client can forge. A problem is shown instead."""
    query = update.callback_query
    assert query is not None
    found = await channels.inspect(context.bot, press.chat_id)
    await query.answer()
    if isinstance(found, channels.Problem):
        problem = context.texts(f"channels.problem.{found.value}", name=str(press.chat_id))
        await replace(update, context, problem)
        return None
    return found


async def language_chosen(update: Update, context: BotContext) -> None:
    """The new channel's language: its mode is asked next."""
    press = _press(update)
    if press is None:
        await stale_button(update, context)
        return
    found = await _found(update, context, press)
    if found is not None and press.language is not None:
        screen = screens.ask_mode(context.texts, found, press.language, DIGEST_HOUR, _zone(context))
        await replace(update, context, *screen)


async def mode_chosen(update: Update, context: BotContext) -> None:
    """The new channel's mode: it is added (bot.channels audits it)."""
    press = _press(update)
    if press is None:
        await stale_button(update, context)
        return
    found = await _found(update, context, press)
    if found is None or press.language is None or press.mode is None:
        return
    await channels.add(
        context.store,
        context.chats,
        found,
        language=press.language,
        mode=press.mode,
        admin_id=guard.admin_id(update),
        now=context.bot_data.clock(),
    )
    zone = _zone(context)
    text = screens.added(context.texts, found, press.language, press.mode, DIGEST_HOUR, zone)
    await replace(update, context, text)


async def adding_cancelled(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    if _press(update) is None:
        await stale_button(update, context)
        return
    await query.answer()
    await replace(update, context, context.texts("channels.cancelled"))


async def remove_asked(update: Update, context: BotContext) -> None:
    """Removing a channel: asked first."""
    query = update.callback_query
    assert query is not None
    press = _press(update)
    channel = await context.store.channels.get(press.chat_id) if press is not None else None
    if channel is None:
        await stale_button(update, context)
        return
    await query.answer()
    await replace(update, context, *screens.remove_question(context.texts, channel))


async def removed(update: Update, context: BotContext) -> None:
    """Removing confirmed (bot.channels audits it); the list follows."""
    query = update.callback_query
    assert query is not None
    press = _press(update)
    if press is None:
        await stale_button(update, context)
        return
    done = await channels.remove(
        context.store,
        context.chats,
        press.chat_id,
        admin_id=guard.admin_id(update),
        now=context.bot_data.clock(),
    )
    await query.answer(context.texts.plain("channels.removed" if done else "admin.stale"))
    await _listing(update, context, edit=True)


async def back_to_list(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    if _press(update) is None:
        await stale_button(update, context)
        return
    await query.answer()
    await _listing(update, context, edit=True)


class _FromChannel(filters.MessageFilter):
    """A message forwarded from a channel."""

    def filter(self, message: object) -> bool:
        return isinstance(getattr(message, "forward_origin", None), MessageOriginChannel)


def handlers(routes: Routes) -> list[BaseHandler[Update, BotContext, object]]:
    """/channels and its buttons, one handler a verb (registered by handlers.admin)."""
    buttons = screens.CHANNELS
    return [
        routes.command("channels", channels_command),
        routes.button(buttons, ["lang"], language_chosen),
        routes.button(buttons, ["mode"], mode_chosen),
        routes.button(buttons, ["no"], adding_cancelled),
        routes.button(buttons, ["rm"], remove_asked),
        routes.button(buttons, ["rmyes"], removed),
        routes.button(buttons, ["list"], back_to_list),
    ]


def forward_handlers(routes: Routes) -> list[BaseHandler[Update, BotContext, object]]:
    """Admins' posts forwarded from a channel. Registered after the admin conversations (a
    forward into a /post draft is the draft's text) and before questions; anyone else's
    forward is left to the other features, to which it is a question like any text."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [MessageHandler(private & routes.admins & _FromChannel(), forwarded)]
