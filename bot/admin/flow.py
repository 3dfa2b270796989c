"""Conversation states and callback data of the admin features, in one place.

Callback data is `adm:<area>.<verb>[.<argument>...]` (bot.callbacks registers the prefix):

    area p  the /post draft; the first argument is the draft's id, so the buttons of an old
            preview cannot act on a newer draft
    area u  /updates: pages, a post's card, edit, withdraw
    area b  /broadcasts: refresh, pause, resume, cancel
    area a  /audit pages
    area f  /facts_admin: pages, a fact's card, its topic, source, texts, retiring
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from bot import callbacks

PREFIX = "adm"


class Step(IntEnum):
    """Where a /post draft stands: the question the admin is answering."""

    RESUME = 1  # an unfinished draft was found: continue it or start over
    KIND = 2
    STAGE = 3
    DATE = 4
    PLACE = 5
    TEXT = 6  # the draft's `language` says which one
    LINK = 7
    PREVIEW = 8
    FIELD = 9  # "what do you want to change?"


class FactStep(IntEnum):
    """Where a new fact (or a fact's new text) stands in /facts_admin."""

    TOPIC = 21
    SOURCE = 22
    TEXT = 23


@dataclass(frozen=True)
class Press:
    """A pressed admin button, parsed."""

    area: str
    verb: str
    args: tuple[str, ...]

    def number(self, index: int = 0) -> int | None:
        value = self.args[index] if index < len(self.args) else ""
        return int(value) if value.isdigit() else None

    def arg(self, index: int = 0) -> str:
        return self.args[index] if index < len(self.args) else ""


def data(area: str, verb: str, *args: object) -> str:
    """The callback data of an admin button."""
    tail = [str(a) for a in args]
    while tail and not tail[-1]:  # an empty optional last argument is left out
        tail.pop()
    return callbacks.make(PREFIX, ".".join([area, verb, *tail]))


def parse(raw: str | None) -> Press | None:
    parsed = callbacks.parse(raw)
    if parsed is None or parsed.prefix != PREFIX:
        return None
    area, _, rest = parsed.argument.partition(".")
    verb, _, tail = rest.partition(".")
    if not area or not verb:
        return None
    return Press(area, verb, tuple(tail.split(".")) if tail else ())


def pattern(area: str, *verbs: str) -> str:
    """Regex for CallbackQueryHandler: the area's buttons, or only these verbs of it."""
    verb = "(" + "|".join(re.escape(v) for v in verbs) + ")" if verbs else "[A-Za-z0-9_-]+"
    return rf"^{PREFIX}:{area}\.{verb}(\.|$)"
