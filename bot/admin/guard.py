"""Who may use the admin features, and the admins' command menu.

An admin is a numeric Telegram user id listed in ADMIN_IDS; usernames never grant anything
(anyone can take a free username). Only admins reach the admin handlers (handlers.admin_routing);
anyone else trying an admin command or button gets `refuse`: a short refusal in their
language, and the attempt goes to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from telegram import Bot, BotCommand, Update

from bot.admin.state import AdminMenus, Menu
from bot.chats import ChatDirectory
from bot.commands import set_chat_menu
from bot.i18n import FALLBACK, Texts, texts_for
from bot.replies import reply
from storage import Store
from storage.models import Chat

log = logging.getLogger(__name__)

ADMIN_COMMANDS = (
    "post", "updates", "stats", "broadcasts", "facts_admin", "questions", "feeds", "channels",
    "audit",
)  # fmt: skip


class WithMenus(Protocol):
    admin_menus: AdminMenus


class AdminContext(Protocol):
    """What the guard needs of a handler's context (bot.context.BotContext is one)."""

    @property
    def bot(self) -> Bot: ...
    @property
    def chat(self) -> Chat | None: ...
    @property
    def store(self) -> Store: ...
    @property
    def texts(self) -> Texts: ...
    @property
    def bot_data(self) -> WithMenus: ...
    def is_admin(self, user_id: int | None) -> bool: ...


async def _set_menu(bot: Any, menus: AdminMenus, admin_id: int, language: str) -> None:
    def commands(code: str) -> list[BotCommand]:
        texts = texts_for(code)
        found = list(menus.public(code) if menus.public else [])
        return found + [
            BotCommand(name, texts.plain(f"admin.command.{name}")) for name in ADMIN_COMMANDS
        ]

    # Refused (quietly) for an admin who never opened the bot: first contact sets it then.
    if await set_chat_menu(bot, admin_id, commands, language):
        menus.languages[admin_id] = language


async def keep_menu(update: Update, context: AdminContext) -> None:
    """Before every update: an admin writing in private gets their menu in their language,
    if it is not (they had never opened the bot when it started, or they changed /lang)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.id != user.id or not context.is_admin(user.id):
        return
    menus = context.bot_data.admin_menus
    language = context.chat.language if context.chat else FALLBACK
    if menus.languages.get(user.id) != language:
        await _set_menu(context.bot, menus, user.id, language)


async def set_admin_menus(
    bot: Bot, menus: AdminMenus, admin_ids: Iterable[int], chats: ChatDirectory, public: Menu
) -> None:
    """post_init: each admin sees the public commands and theirs, in the admin's language."""
    menus.public = public
    for admin_id in sorted(admin_ids):
        chat = await chats.get(admin_id)
        await _set_menu(bot, menus, admin_id, chat.language if chat else FALLBACK)


def admin_id(update: Update) -> int:
    """The admin behind an update that the admin routing let through (handlers.admin_routing):
    only an admin's update gets there, so it has a user."""
    user = update.effective_user
    assert user is not None, "an admin handler reached without a user"
    return user.id


async def refuse(update: Update, context: AdminContext, attempt: str) -> None:
    """Someone who is not an admin tried an admin command or button: a short refusal in their
    language, and an audit entry naming `attempt`."""
    user = update.effective_user
    user_id = user.id if user else None
    chat_id = update.effective_chat.id if update.effective_chat else None
    log.warning("chat %s: user %s refused %s", chat_id, user_id, attempt)
    if user_id is not None:
        await context.store.audit.record(user_id, "refused", attempt)
    query = update.callback_query
    if query is not None:
        await query.answer(context.texts.plain("admin.refused"))
    else:
        await reply(update, context, context.texts("admin.refused"))
