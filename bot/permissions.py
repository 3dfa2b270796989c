"""Who may change what the bot does in a chat: anyone in a private chat, admins in a group.

A subscription or language set for a whole group is the group's decision; a passing member
must not be able to switch it off for everyone.
"""

from __future__ import annotations

import logging
from typing import Protocol

from telegram import ChatMember, Update
from telegram.error import TelegramError

from bot.i18n import Texts
from bot.replies import Replying, reply

log = logging.getLogger(__name__)
_MANAGERS = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


class Configuring(Replying, Protocol):
    """What the check needs of a handler's context (bot.context.BotContext is one)."""

    @property
    def texts(self) -> Texts: ...


async def _is_manager(update: Update, context: Configuring) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == chat.PRIVATE:
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin writes as the group
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("chat %s: cannot check user %s's rights: %s", chat.id, user.id, exc)
        return False
    return member.status in _MANAGERS


async def may_configure(update: Update, context: Configuring) -> bool:
    """True when the sender may change the chat's settings; otherwise they are told why.

    For a button press the refusal answers the callback query, so callers answer it only
    after this returned True.
    """
    if await _is_manager(update, context):
        return True
    text = context.texts("permissions.group_admins_only")
    query = update.callback_query
    if query is not None:
        await query.answer(context.texts.plain("permissions.group_admins_only"), show_alert=True)
    else:
        await reply(update, context, text)
    return False
