"""The command menu every chat sees, per language, and /help, built from the same list."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.i18n import FALLBACK, LANGUAGES, Html, Texts, texts_for

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


def help_text(texts: Texts) -> Html:
    """The menu's commands with their descriptions, between a title and a closing note."""
    lines = [f"/{name} — {texts(f'command.{name}')}" for name in MENU_COMMANDS]
    return Html("\n".join([texts("help.title.html"), "", *lines, "", texts("help.footer.html")]))
