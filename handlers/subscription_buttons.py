"""The subscription buttons (/subscribe, /settings, the welcome's Subscribe): each saves the
pressed choice and confirms it, or asks the next question (a weekday, an hour).

One handler a verb, its pattern from keyboards.SUBSCRIPTION with the number of arguments
the verb's buttons carry; whatever else starts with `sub:` (forged) is answered quietly by
the last one. In a group only its admins may choose (bot.permissions), for every press.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import keyboards
from bot.context import BotContext
from bot.permissions import may_configure
from bot.replies import replace, reply
from handlers.subscription import change_mode, describe, zone_name
from storage.models import Mode

SUBSCRIPTION = keyboards.SUBSCRIPTION
_HOUR_RE = re.compile(r"^\d{1,2}$")
_WEEKDAY_RE = re.compile(r"^\d$")


def _hour(value: str) -> int | None:  # of the day, 0-23
    return int(value) if _HOUR_RE.match(value) and int(value) < 24 else None


def _day_number(value: str) -> int | None:  # of the week, 0 = Monday
    return int(value) if _WEEKDAY_RE.match(value) and int(value) < 7 else None


async def _allowed(update: Update, context: BotContext) -> bool:
    """Whether the sender may choose; if so the press is answered, if not they were told why."""
    query = update.callback_query
    assert query is not None and context.chat is not None
    if not await may_configure(update, context):
        return False
    await query.answer()
    return True


def _args(update: Update) -> tuple[str, ...]:
    """The press's arguments (its handler's pattern says how many)."""
    press = SUBSCRIPTION.parse(update.callback_query.data if update.callback_query else None)
    return press.args if press is not None else ()


async def _done(update: Update, context: BotContext, mode: Mode, **when: int) -> None:
    """The choice saved; its confirmation in place of the question."""
    chat = await change_mode(context, mode, **when)
    await replace(update, context, describe(context, context.texts, chat, "done"))


async def subscribe(update: Update, context: BotContext) -> None:
    """The welcome's Subscribe: instant updates, confirmed below the welcome (left in place)."""
    if await _allowed(update, context):
        chat = await change_mode(context, Mode.INSTANT)
        await reply(update, context, describe(context, context.texts, chat, "done"))


async def unsubscribe(update: Update, context: BotContext) -> None:
    """No more updates, said in place of the buttons."""
    if await _allowed(update, context):
        await change_mode(context, Mode.OFF)
        await replace(update, context, context.texts("unsubscribe.done"))


async def instant(update: Update, context: BotContext) -> None:
    """Each update as it comes."""
    if await _allowed(update, context):
        await _done(update, context, Mode.INSTANT)


async def ask_daily_hour(update: Update, context: BotContext) -> None:
    """A daily digest: at which hour (in the bot's time zone)?"""
    if await _allowed(update, context):
        texts = context.texts
        zone = zone_name(context, texts.language)
        await replace(
            update, context, texts("delivery.ask.hour", zone=zone), keyboards.digest_hours()
        )


async def ask_weekday(update: Update, context: BotContext) -> None:
    """A weekly digest: on which weekday?"""
    if await _allowed(update, context):
        texts = context.texts
        await replace(
            update, context, texts("delivery.ask.weekday"), keyboards.weekdays(texts.language)
        )


async def daily_at(update: Update, context: BotContext) -> None:
    """The daily digest's hour: saved and confirmed."""
    if await _allowed(update, context) and (hour := _hour(_args(update)[0])) is not None:
        await _done(update, context, Mode.DAILY, hour=hour)


async def ask_weekly_hour(update: Update, context: BotContext) -> None:
    """The weekly digest's weekday: at which hour on it?"""
    if await _allowed(update, context) and (weekday := _day_number(_args(update)[0])) is not None:
        texts = context.texts
        zone = zone_name(context, texts.language)
        await replace(
            update,
            context,
            texts("delivery.ask.hour", zone=zone),
            keyboards.digest_hours(weekday),
        )


async def weekly_at(update: Update, context: BotContext) -> None:
    """The weekly digest's weekday and hour: saved and confirmed."""
    if not await _allowed(update, context):
        return
    args = _args(update)
    weekday, hour = _day_number(args[0]), _hour(args[1])
    if weekday is not None and hour is not None:
        await _done(update, context, Mode.WEEKLY, hour=hour, weekday=weekday)


async def forged(update: Update, context: BotContext) -> None:
    """Any other `sub:` data: answered quietly (after the same permission check), nothing
    changes."""
    await _allowed(update, context)


def _on(
    verb: str, args: int, callback: Callable[[Update, BotContext], Coroutine[Any, Any, None]]
) -> CallbackQueryHandler[BotContext, None]:
    return CallbackQueryHandler(callback, pattern=SUBSCRIPTION.pattern(verb, args=args))


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [
    _on("on", 0, subscribe),
    _on(Mode.OFF.value, 0, unsubscribe),
    _on(Mode.INSTANT.value, 0, instant),
    _on(Mode.DAILY.value, 0, ask_daily_hour),
    _on(Mode.WEEKLY.value, 0, ask_weekday),
    _on("d", 1, daily_at),  # sub:d.<hour>
    _on("w", 1, ask_weekly_hour),  # sub:w.<weekday>
    _on("w", 2, weekly_at),  # sub:w.<weekday>.<hour>
    # Last: the rest of sub: (forged) is answered quietly here.
    CallbackQueryHandler(forged, pattern=SUBSCRIPTION.place()),
]
