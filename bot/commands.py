"""The command menu every chat sees, per language, and /help, built from the same list."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import FALLBACK, LANGUAGES, Html, Texts, texts_for
from bot.telegram.errors import Action, classify

log = logging.getLogger(__name__)

MENU_COMMANDS = (
    "status",
    "facts",
    "news",
    "timeline",
    "subscribe",
    "unsubscribe",
    "settings",
    "lang",
    "help",
)


def menu_commands(language: str) -> list[BotCommand]:
    texts = texts_for(language)
    return [BotCommand(name, texts.plain(f"command.{name}")) for name in MENU_COMMANDS]


async def set_command_menus(bot: Bot) -> None:
    """One menu per language; Telegram shows the one matching the user's app language."""
    for language in LANGUAGES:
        await bot.set_my_commands(menu_commands(language), language_code=language)
    # Anything else gets the fallback language, as detect_language() decides.
    await bot.set_my_commands(menu_commands(FALLBACK))


async def set_chat_menu(
    bot: Bot, chat_id: int, commands: Callable[[str], list[BotCommand]], language: str
) -> bool:
    """One chat's own menu in kk, ru and en (Telegram shows the one of the user's app
    language), and in `language` (their /lang) for any other app language.

    False when Telegram refused: it does not know the chat of a user who never opened the
    bot ("chat not found"), an expected refusal that is only logged at DEBUG.
    """
    scope = BotCommandScopeChat(chat_id)
    try:
        for code in LANGUAGES:
            await bot.set_my_commands(commands(code), scope=scope, language_code=code)
        await bot.set_my_commands(commands(language), scope=scope)
    except TelegramError as exc:
        unknown = classify(exc).action is Action.GONE
        log.log(
            logging.DEBUG if unknown else logging.INFO, "chat %s: menu not set: %s", chat_id, exc
        )
        return False
    return True


def help_text(texts: Texts) -> Html:
    """The menu's commands with their descriptions, between a title and a closing note."""
    lines = [f"/{name} — {texts(f'command.{name}')}" for name in MENU_COMMANDS]
    return Html("\n".join([texts("help.title.html"), "", *lines, "", texts("help.footer.html")]))
