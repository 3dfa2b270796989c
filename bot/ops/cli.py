"""The `visatalks` command (also `python -m bot`).

visatalks                 run against Telegram when BOT_TOKEN is set, else the offline console
visatalks run             long polling, or webhook mode when WEBHOOK_URL is set (or --webhook)
visatalks console         the offline console: type commands, read replies
visatalks health          one line on the running bot's health; exit 0 healthy, 1 not
visatalks backup PATH     an online copy of the database (PATH: a file or a directory)
visatalks restore PATH    put a backup in place of the database (the bot must be stopped)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import NetworkError, TelegramError

from bot.app import build_application
from bot.config import Settings, check_database_path, environment_with_dotenv, load_settings
from bot.errors import AlreadyRunning, ConfigError, StorageError
from bot.ops.backup import backup_command, restore_command
from bot.ops.health import STALE_AFTER, health_command
from bot.ops.logs import setup_logging
from bot.telegram.runner import serve, unreachable

log = logging.getLogger(__name__)
NO_TOKEN_NOTICE = (
    "No BOT_TOKEN set: starting the offline console (type /help, Ctrl-D to quit).\n"
    "To connect to Telegram, get a token from @BotFather, put BOT_TOKEN=... in .env "
    "and run `make run` again.\n"
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="visatalks", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="serve Telegram: long polling or webhook")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--webhook", action="store_true", help="webhook mode (needs WEBHOOK_URL)")
    mode.add_argument("--polling", action="store_true", help="long polling even if WEBHOOK_URL")
    run.add_argument(
        "--take-over", action="store_true", help="replace a webhook another instance set"
    )
    console = commands.add_parser("console", help="offline console, no Telegram needed")
    console.add_argument("--lang", choices=("kk", "ru", "en"), help="the console user's language")
    health = commands.add_parser("health", help="is the bot healthy? exit 0 yes, 1 no")
    health.add_argument("--max-age", type=float, default=STALE_AFTER, metavar="SECONDS",
                        help="how old the last poll may be (default %(default).0f)")  # fmt: skip
    backup = commands.add_parser("backup", help="online backup of the database")
    backup.add_argument("path", type=Path, help="backup file, or a directory for a dated one")
    restore = commands.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("path", type=Path, help="the backup file")
    return parser.parse_args(argv)


def run_bot(settings: Settings, args: argparse.Namespace) -> int:
    webhook = args.webhook or (settings.webhook.url is not None and not args.polling)
    if webhook and settings.webhook.url is None:
        print(
            "visatalks: configuration error: WEBHOOK_URL: required for --webhook", file=sys.stderr
        )
        return 2
    application = build_application(settings)
    if webhook:
        log.info("webhook mode: %s", settings.webhook.url)
    else:
        log.info("polling %s", settings.api_base_url.split("/bot")[0])
    try:
        asyncio.run(
            serve(application, settings.webhook if webhook else None, take_over=args.take_over)
        )
    except NetworkError as exc:  # DNS, refused, timed out: not Telegram's answer
        print(f"visatalks: {unreachable(settings.api_base_url, exc)}", file=sys.stderr)
        return 1
    except TelegramError as exc:  # at start: a revoked token, a refused webhook URL
        print(f"visatalks: Telegram refused to start: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings(environment_with_dotenv())
    except ConfigError as exc:
        print(f"visatalks: configuration error: {exc}", file=sys.stderr)
        # Docker reserves a health check's exit status 2: an unusable setting is unhealthy.
        return 1 if args.command == "health" else 2
    command = args.command or ("run" if settings.bot_token else "console")
    # The console prints replies on stdout; its log lines stay quiet unless asked for.
    level = settings.log_level if command == "run" else "WARNING"
    setup_logging(level, settings.bot_token, secrets=[settings.webhook.secret])
    if command == "health":
        return health_command(settings, args.max_age)
    if command == "backup":
        return backup_command(settings, args.path)
    if command == "restore":
        return restore_command(settings, args.path)
    try:
        # Before any network call: a database the bot cannot write is one line, exit 2.
        check_database_path(settings.database_path)
        if command == "run":
            if not settings.bot_token:
                print("visatalks: configuration error: BOT_TOKEN: required to run", file=sys.stderr)
                return 2
            if args.command is None:
                args = parse_args(["run"])
            return run_bot(settings, args)
        from bot.ops.console import run_console

        if args.command is None:
            sys.stderr.write(NO_TOKEN_NOTICE)
        return asyncio.run(run_console(settings, getattr(args, "lang", None)))
    except ConfigError as exc:
        print(f"visatalks: configuration error: {exc}", file=sys.stderr)
        return 2
    except AlreadyRunning as exc:
        print(f"visatalks: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"visatalks: database error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
