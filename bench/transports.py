"""The bot with another transport to Telegram, for bench.broadcast --transport.

    python -m bench.transports aiohttp run    # `python -m bot run`, sends over aiohttp

bot.app builds its transport from the name ShardedRequest; this swaps that one name before
the bot starts, so everything else (polling, delivery, pacing) is the bot as it ships.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from telegram.request import BaseRequest

import bot.app
from bot.ops.cli import main as bot_main
from bot.telegram.transport import ShardedRequest


def _aiohttp(connections: int) -> BaseRequest:
    from bench.aiohttp_request import AiohttpRequest  # aiohttp only where it is asked for

    return AiohttpRequest(connections)


TRANSPORTS: dict[str, Callable[[int], BaseRequest]] = {
    "httpcore": ShardedRequest,
    "aiohttp": _aiohttp,
}


def main(argv: Sequence[str]) -> int:
    name, *rest = argv
    setattr(bot.app, "ShardedRequest", TRANSPORTS[name])  # noqa: B010 (a module global, swapped)
    return bot_main(rest)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
