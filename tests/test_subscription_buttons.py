"""The subscription buttons routed by PTB (handlers.subscription_buttons): each `sub:` verb,
with the number of arguments its buttons carry, reaches its own handler and changes the chat
as before; anything else under `sub:` is answered quietly and changes nothing; in a group
only its admins get through, whatever the data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import CallbackQuery, Update, User
from telegram.ext import CallbackQueryHandler

from bot.app import GROUP_FEATURES, VisatalksApp, build_application
from bot.config import load_settings
from bot.i18n import texts_for
from handlers import subscription_buttons as buttons
from storage.models import Chat, Mode
from tests.conftest import StartBot, make_settings
from tests.delivery_helpers import store_of, wait_until
from tests.fakebotapi import FakeBotApi, SentMessage

USER = 3701
GROUP, MEMBER, GROUP_ADMIN = -3702, 3703, 3704
RU = texts_for("ru")
ROUTED = {  # data: the handler PTB runs for it
    "sub:on": buttons.subscribe,
    "sub:off": buttons.unsubscribe,
    "sub:instant": buttons.instant,
    "sub:daily": buttons.ask_daily_hour,
    "sub:weekly": buttons.ask_weekday,
    "sub:d.9": buttons.daily_at,
    "sub:w.0": buttons.ask_weekly_hour,
    "sub:w.0.18": buttons.weekly_at,
}
# Never made by the bot: the shapes no verb takes, and verbs' shapes with values out of range.
FORGED = ["sub:maybe", "sub:", "sub:on.1", "sub:d", "sub:d.9.9", "sub:w", "sub:w.0.18.1"]
OUT_OF_RANGE = ["sub:d.24", "sub:d.x", "sub:w.7", "sub:w.0.24", "sub:w.9.9"]


def _first(app: VisatalksApp, data: str) -> object:
    """The callback PTB would run for a press of `data`: the first handler to accept it."""
    update = Update(1, callback_query=CallbackQuery("1", User(USER, "U", False), "i", data=data))
    for handler in app.handlers[GROUP_FEATURES]:
        if isinstance(handler, CallbackQueryHandler) and handler.check_update(update):
            return handler.callback
    return None


def test_each_verb_and_shape_reaches_its_own_handler_the_rest_the_quiet_one() -> None:
    app = build_application(load_settings({"BOT_TOKEN": "123456:" + "A" * 35, "ADMIN_IDS": "7"}))
    for data, callback in ROUTED.items():
        assert _first(app, data) is callback, data
    assert len(set(ROUTED.values())) == len(ROUTED)  # one handler a verb and shape
    for data in FORGED:
        assert _first(app, data) is buttons.forged, data
    for data in OUT_OF_RANGE:  # the verb's handler, which checks the values
        assert _first(app, data) in (buttons.daily_at, buttons.ask_weekly_hour, buttons.weekly_at)


@pytest.fixture
async def bot(
    api: FakeBotApi, start_bot: StartBot, database_path: Path
) -> AsyncIterator[VisatalksApp]:
    """The bot, with room for a burst of presses (the flood gate would answer some)."""
    async with start_bot(make_settings(api, database_path, FLOOD_BURST="100")) as application:
        yield application


async def _chat(app: VisatalksApp, chat_id: int) -> Chat:
    chat = await store_of(app).chats.get(chat_id)
    assert chat is not None
    return chat


async def _press(api: FakeBotApi, user: int, message: SentMessage, data: str) -> SentMessage:
    """Press `data` on `message`; returns the message as the handler replaced it."""
    since = len(api.edits_to(message.chat_id))
    api.press_button(user, message, data, check=False)
    return (await api.wait_for_edits(message.chat_id, since=since))[0]


async def test_each_choice_changes_the_chat_as_before(api: FakeBotApi, bot: VisatalksApp) -> None:
    welcome = await api.reply_to(USER, "/start")
    api.press_button(USER, welcome, "sub:on")
    confirmation = (await api.wait_for_messages(USER, since=1))[0]  # below the welcome
    assert confirmation.plain.startswith("Готово: вы подписаны")
    assert (await _chat(bot, USER)).mode is Mode.INSTANT

    menu = await api.reply_to(USER, "/settings")
    days = await _press(api, USER, menu, "sub:weekly")
    assert days.plain == RU.plain("delivery.ask.weekday") and "sub:w.2" in days.callback_data
    hours = await _press(api, USER, menu, "sub:w.2")
    assert "В котором часу" in hours.plain and "sub:w.2.20" in hours.callback_data
    done = await _press(api, USER, menu, "sub:w.2.20")
    assert "раз в неделю: среда, 20:00" in done.plain
    chat = await _chat(bot, USER)
    assert (chat.mode, chat.digest_weekday, chat.digest_hour) == (Mode.WEEKLY, 2, 20)

    done = await _press(api, USER, menu, "sub:instant")
    assert done.plain.startswith("Готово: вы подписаны")
    assert (await _chat(bot, USER)).mode is Mode.INSTANT
    done = await _press(api, USER, menu, "sub:off")
    assert done.plain == RU.plain("unsubscribe.done")
    assert (await _chat(bot, USER)).mode is Mode.OFF

    hours = await _press(api, USER, menu, "sub:daily")
    assert "В котором часу" in hours.plain and "sub:d.7" in hours.callback_data
    done = await _press(api, USER, menu, "sub:d.7")
    assert "каждый день в 07:00" in done.plain
    chat = await _chat(bot, USER)
    assert (chat.mode, chat.digest_hour) == (Mode.DAILY, 7)

    # Forged data, or values out of range: answered quietly, nothing sent, nothing changed.
    sent, edits = len(api.messages_to(USER)), len(api.edits_to(USER))
    for data in FORGED + OUT_OF_RANGE:
        api.press_button(USER, menu, data, check=False)

    def answers() -> list[tuple[str | None, bool]]:
        pressed = FORGED + OUT_OF_RANGE
        return [(a.text, a.show_alert) for a in api.answered_callbacks if a.data in pressed]

    await wait_until(lambda: len(answers()) == len(FORGED + OUT_OF_RANGE), what="every answer")
    assert answers() == [(None, False)] * len(FORGED + OUT_OF_RANGE)
    assert (len(api.messages_to(USER)), len(api.edits_to(USER))) == (sent, edits)
    chat = await _chat(bot, USER)
    assert (chat.mode, chat.digest_hour) == (Mode.DAILY, 7)


async def test_in_a_group_only_its_admins_choose_whatever_the_data(
    api: FakeBotApi, bot: VisatalksApp
) -> None:
    api.chat_members[(GROUP, GROUP_ADMIN)] = "administrator"
    menu = await api.reply_to(GROUP_ADMIN, "/subscribe", chat_id=GROUP, chat_type="group")
    assert (await _chat(bot, GROUP)).mode is Mode.INSTANT
    pressed = [*ROUTED, FORGED[0], OUT_OF_RANGE[0]]
    for data in pressed:
        api.press_button(MEMBER, menu, data, check=False)

    def answers() -> list[tuple[str | None, bool]]:
        return [(a.text, a.show_alert) for a in api.answered_callbacks if a.user_id == MEMBER]

    await wait_until(lambda: len(answers()) == len(pressed), what="every refusal")
    refusal = RU.plain("permissions.group_admins_only")
    assert answers() == [(refusal, True)] * len(pressed)
    assert not api.edits_to(GROUP) and len(api.messages_to(GROUP)) == 1
    assert (await _chat(bot, GROUP)).mode is Mode.INSTANT

    done = await _press(api, GROUP_ADMIN, menu, "sub:off")
    assert done.plain == RU.plain("unsubscribe.done")
    assert (await _chat(bot, GROUP)).mode is Mode.OFF
