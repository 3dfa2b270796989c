"""The `visatalks` command (also `python -m bot`).

visatalks            run against Telegram when BOT_TOKEN is set, else the offline console
visatalks run        long polling against TELEGRAM_API_BASE_URL
visatalks console    the offline console: type commands, read replies
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.app import build_application
from bot.config import Settings, environment_with_dotenv, load_settings
from bot.errors import ConfigError, StorageError
from bot.logs import setup_logging
from bot.runner import serve

log = logging.getLogger(__name__)
NO_TOKEN_NOTICE = (
    "No BOT_TOKEN set: starting the offline console (type /help, Ctrl-D to quit).\n"
    "To connect to Telegram, get a token from @BotFather, put BOT_TOKEN=... in .env "
    "and run `make run` again.\n"
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="visatalks", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="long polling against the Bot API")
    console = commands.add_parser("console", help="offline console, no Telegram needed")
    console.add_argument("--lang", choices=("kk", "ru", "en"), help="the console user's language")
    return parser.parse_args(argv)


def run_polling(settings: Settings) -> int:
    application = build_application(settings)
    log.info("polling %s", settings.api_base_url.split("/bot")[0])
    asyncio.run(serve(application))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings(environment_with_dotenv())
    except ConfigError as exc:
        print(f"visatalks: configuration error: {exc}", file=sys.stderr)
        return 2
    command = args.command or ("run" if settings.bot_token else "console")
    # The console prints replies on stdout; its log lines stay quiet unless asked for.
    level = settings.log_level if command == "run" else "WARNING"
    setup_logging(level, settings.bot_token)
    try:
        if command == "run":
            if not settings.bot_token:
                print("visatalks: configuration error: BOT_TOKEN: required to run", file=sys.stderr)
                return 2
            return run_polling(settings)
        from bot.console import run_console

        if args.command is None:
            sys.stderr.write(NO_TOKEN_NOTICE)
        return asyncio.run(run_console(settings, getattr(args, "lang", None)))
    except StorageError as exc:
        print(f"visatalks: database error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
