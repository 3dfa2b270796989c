"""Guard after tracking: a user sending updates faster than FloodLimits is slowed down."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.context import BotContext
from bot.flood import Verdict
from bot.replies import reply

log = logging.getLogger(__name__)


async def throttle(update: Update, context: BotContext) -> None:
    """Nothing while the user keeps to the limit; past it one "slow down" notice, then silence.

    Only messages and button presses count: they are what the bot answers. Admins are never
    slowed. In groups the notice is not sent, so one flooder does not make the bot talk to
    everyone; their updates are dropped all the same.
    """
    user = update.effective_user
    query = update.callback_query
    if user is None or not (update.message or query) or context.is_admin(user.id):
        return
    verdict = context.bot_data.flood.check(user.id)
    if verdict is Verdict.PASS:
        return
    chat = update.effective_chat
    if verdict is Verdict.WARN:
        log.info("chat %s: user %s over the flood limit, slowed down", chat and chat.id, user.id)
        if query is not None:
            await query.answer(context.texts.plain("ops.slow_down"))
        elif chat is not None and chat.type == "private":
            await reply(update, context, context.texts("ops.slow_down"))
    elif query is not None:
        await query.answer()  # every query is answered, or the client spins
    raise ApplicationHandlerStop


HANDLERS: list[BaseHandler[Update, BotContext, None]] = [TypeHandler(Update, throttle)]
