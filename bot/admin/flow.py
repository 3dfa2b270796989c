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
import warnings
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackContext,
    CommandHandler,
    ConversationHandler,
    TypeHandler,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks

PREFIX = "adm"

T = TypeVar("T")
# The handlers' context type (bot.context.BotContext): this module only passes it through.
Context = TypeVar("Context", bound=CallbackContext[Any, Any, Any, Any])


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


class Slot(Generic[T]):
    """Where an admin's unfinished work of one kind (a draft) lives: their `user_data`, under
    `key` (memory only: a restart forgets it)."""

    def __init__(self, key: str, kind: type[T]) -> None:
        self.key = key
        self.kind = kind

    def current(self, user_data: dict[Any, Any] | None) -> T | None:
        draft = (user_data or {}).get(self.key)
        return draft if isinstance(draft, self.kind) else None

    def keep(self, user_data: dict[Any, Any] | None, draft: T) -> T:
        if user_data is not None:
            user_data[self.key] = draft
        return draft

    def drop(self, user_data: dict[Any, Any] | None) -> None:
        if user_data is not None:
            user_data.pop(self.key, None)


def conversation(
    name: str,
    *,
    entry_points: list[BaseHandler[Update, Context, object]],
    steps: Iterable[int],
    on_screen: list[BaseHandler[Update, Context, object]],
    cancel: Callable[[Update, Context], Coroutine[Any, Any, int]],
    timed_out: Callable[[Update, Context], Coroutine[Any, Any, None]],
    timeout: float,
) -> ConversationHandler[Context]:
    """An admin conversation: every step takes the same inputs (`on_screen`; the draft knows
    which question is on screen), /cancel ends it, and after `timeout` seconds of silence
    `timed_out` runs."""
    with warnings.catch_warnings():
        # PTB warns that buttons are not tracked per message (per_message=False); the draft's
        # id in every button's data does that job (see `data` above).
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states={
                **{step: on_screen for step in steps},
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            conversation_timeout=timeout,
            name=name,
        )
