"""The admin routing (handlers.admin_routing): PTB's own handlers choose who gets through and
which verb runs; everyone else meets the one refusal, which names what they tried."""

from __future__ import annotations

import datetime as dt
from typing import cast

from telegram import Bot, CallbackQuery, Chat, Message, MessageEntity, Update, User
from telegram.ext import BaseHandler, ConversationHandler

from bot.admin import views
from bot.admin.channels import CHANNELS
from bot.admin.facts import FACTS
from bot.admin.questions import QUESTIONS
from bot.config import AdminOptions
from bot.context import BotContext
from bot.feeds.admin import KEPT
from handlers import admin
from handlers.admin_routing import Routes, stale_button

ADMIN, STRANGER = 42, 4242
# The verbs the draft conversations own (their entry points and steps), left out here.
IN_CONVERSATIONS = {"edit", "new", "text", "ntopic", "nsource", "nskip", "ncancel", "answer"} | {
    "atopic",
    "askip",
    "aeditors",
    "asave",
    "acancel",
}


class _NamedBot:
    username = "visatalks_bot"


def _button(user_id: int, data: str) -> Update:
    query = CallbackQuery("1", User(user_id, "U", False), "instance", data=data)
    return Update(1, callback_query=query)


def _command(user_id: int, text: str) -> Update:
    user = User(user_id, "U", False)
    entity = MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text.split()[0]))
    message = Message(
        1, dt.datetime.now(dt.UTC), Chat(user_id, Chat.PRIVATE), from_user=user, text=text,
        entities=(entity,),
    )  # fmt: skip
    message.set_bot(cast(Bot, _NamedBot()))  # CommandHandler compares `/cmd@name` with it
    return Update(1, message=message)


def _plain(
    handlers: list[BaseHandler[Update, BotContext, object]],
) -> list[BaseHandler[Update, BotContext, object]]:
    return [h for h in handlers if not isinstance(h, ConversationHandler)]


def _first(handlers: list[BaseHandler[Update, BotContext, object]], update: Update) -> object:
    """The handler PTB would run: the first whose check_update accepts the update."""
    for handler in _plain(handlers):
        if handler.check_update(update) not in (None, False):
            return handler.callback
    return None


def test_each_button_verb_has_its_own_handler_and_strangers_reach_only_the_refusal() -> None:
    handlers = _plain(admin.handlers(AdminOptions(), {ADMIN}))
    refuse = handlers[-1].callback  # the refusal is registered last
    for buttons in (views.UPDATES, views.BROADCASTS, CHANNELS, FACTS, QUESTIONS, KEPT):
        chosen = {}
        for verb in set(buttons.verbs) - IN_CONVERSATIONS:
            data = buttons.data(verb, "-1001234567890")
            chosen[verb] = _first(handlers, _button(ADMIN, data))
            assert chosen[verb] not in (None, refuse), data
            assert _first(handlers, _button(STRANGER, data)) == refuse, data
        assert len(set(chosen.values())) == len(chosen), buttons.verbs  # one handler a verb
    assert _first(handlers, _command(ADMIN, "/stats")) is admin.stats
    for command in ("/stats", "/channels", "/feeds add https://example.kz/rss"):
        assert _first(handlers, _command(STRANGER, command)) == refuse, command
    assert _first(handlers, _command(STRANGER, "/status")) is None  # not an admin command


def test_the_refusal_names_the_command_whose_screen_the_button_is_on() -> None:
    routes = Routes({ADMIN})
    routes.button(CHANNELS, ["rm"], stale_button)
    routes.button(views.UPDATES, ["gone"], stale_button)
    attempt = routes._attempt
    assert attempt(_button(STRANGER, "adm:c.rm.-1001234567890")) == "/channels"
    assert attempt(_button(STRANGER, "adm:c.forged")) == "/channels"
    assert attempt(_button(STRANGER, "adm:u.gone.1")) == "/updates"
    assert attempt(_button(STRANGER, "adm:zz.x")) == "button"
    assert attempt(_command(STRANGER, "/Feeds@visatalks_bot add x")) == "/feeds"
