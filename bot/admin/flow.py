"""Conversation states and callback data of the admin features, in one place.

Callback data is `adm:<area>.<verb>[.<argument>...]`; each area's module declares its verbs
(bot.callbacks.Buttons, with PREFIX and the area):

    area p  the /post draft (bot.admin.screens); the first argument is the draft's id, so the
            buttons of an old preview cannot act on a newer draft
    area u  /updates: pages, a post's card, edit, withdraw (bot.admin.views)
    area b  /broadcasts: refresh, pause, resume, cancel (bot.admin.views)
    area a  /audit pages (bot.admin.views)
    area f  /facts_admin: pages, a fact's card, its topic, source, texts, retiring
    area q  /questions (bot.admin.questions)
    area c  /channels (bot.admin.channels)
    area k  /feeds: let a kept-out item in (bot.feeds.admin)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine, Iterable, Mapping
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
    by_step: Mapping[int, list[BaseHandler[Update, Context, object]]] | None = None,
) -> ConversationHandler[Context]:
    """An admin conversation: every step takes the inputs `on_screen`, after the handlers of
    its own question's buttons (`by_step`, if given); /cancel ends it, and after `timeout`
    seconds of silence `timed_out` runs. A button no handler of the step takes is left to
    the admin handlers after the conversations (an old button: `admin.stale`)."""
    own = by_step or {}
    with warnings.catch_warnings():
        # PTB warns that buttons are not tracked per message (per_message=False); the draft's
        # id in every button's data does that job (see the module's docstring).
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states={
                **{step: [*own.get(step, []), *on_screen] for step in steps},
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            conversation_timeout=timeout,
            name=name,
        )
