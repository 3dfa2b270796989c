"""Callback data: `prefix:argument`, built and parsed here only.

Telegram allows 64 bytes; every prefix is registered so a handler's pattern and the data it
parses cannot drift apart, and foreign or forged data parses to None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Update

PREFIXES = ("lang", "facts", "news", "sub", "menu", "adm", "ask", "qa")
_DATA_RE = re.compile(r"^(" + "|".join(PREFIXES) + r"):([A-Za-z0-9_.-]{0,40})$")


@dataclass(frozen=True)
class Callback:
    prefix: str
    argument: str

    def encode(self) -> str:
        return f"{self.prefix}:{self.argument}"

    @property
    def number(self) -> int | None:
        return int(self.argument) if self.argument.isdigit() else None


def make(prefix: str, argument: object = "") -> str:
    data = Callback(prefix, str(argument)).encode()
    if parse(data) is None:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    match = _DATA_RE.match(data or "")
    return Callback(match.group(1), match.group(2)) if match else None


def pattern(prefix: str) -> str:
    """Regex for CallbackQueryHandler(pattern=...)."""
    return f"^{prefix}:"


async def pressed(update: Update) -> Callback | None:
    """Answers the button press (the client shows a spinner until then); returns its data."""
    query = update.callback_query
    if query is None:
        return None
    await query.answer()
    return parse(query.data)
