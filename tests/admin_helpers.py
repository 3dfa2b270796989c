"""Driving the admin conversations through the fake Bot API like an admin on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from telegram import CallbackQuery, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.config import Settings
from bot.context import BotContext
from tests import delivery_helpers
from tests.conftest import ADMIN_ID
from tests.fakebotapi import FakeBotApi, SentMessage


def fast_settings(api: FakeBotApi, database_path: Path, **extra: str) -> Settings:
    """Quick delivery (tests.delivery_helpers.fast_settings) and quick corrections."""
    return delivery_helpers.fast_settings(
        api, database_path, ADMIN_CORRECTIONS_PER_SECOND="30", **extra
    )


def press_update(user_id: int, data: str) -> Update:
    """A press of a button with `data` by `user_id`, for a handler's check_update."""
    return Update(1, callback_query=CallbackQuery("1", User(user_id, "U", False), "i", data=data))


def takes(handler: BaseHandler[Update, BotContext, object], update: Update) -> bool:
    return handler.check_update(update) not in (None, False)


def takers_by_step(
    conversation: ConversationHandler[BotContext],
    steps: Iterable[object],
    data: str,
    pattern: str,
    stranger: int,
) -> dict[object, int]:
    """Of `steps`, those whose buttons take an admin's press of `data`, each with the id of
    the one handler there that takes it (never two), whose pattern is `pattern`; no step
    takes a stranger's press."""
    found: dict[object, int] = {}
    for step in steps:
        handlers = conversation.states[step]
        buttons = [h for h in handlers if isinstance(h, CallbackQueryHandler)]
        taking = [h for h in buttons if takes(h, press_update(ADMIN_ID, data))]
        assert len(taking) <= 1, (data, step)
        if taking:
            found[step] = id(taking[0])
            taken = taking[0].pattern
            assert isinstance(taken, re.Pattern) and taken.pattern == pattern, (data, step)
        assert not any(takes(h, press_update(stranger, data)) for h in handlers), (data, step)
    return found


def conversation_named(
    handlers: list[BaseHandler[Update, BotContext, object]], name: str
) -> ConversationHandler[BotContext]:
    return next(h for h in handlers if isinstance(h, ConversationHandler) and h.name == name)


class Admin:
    """An admin (or anyone, with another user id) talking to the bot in a private chat.

    Counts taps and messages, the figures of what a full post takes.
    """

    def __init__(self, api: FakeBotApi, user_id: int = ADMIN_ID, language: str = "ru") -> None:
        self.api = api
        self.user_id = user_id
        self.language = language
        self.taps = 0
        self.messages = 0

    @property
    def seen(self) -> int:
        return len(self.api.messages_to(self.user_id))

    async def question(self, since: int) -> SentMessage:
        """The first message after `since` that carries buttons (the next question)."""
        index = since
        while True:
            message = (await self.api.wait_for_messages(self.user_id, 1, since=index))[0]
            if message.buttons:
                return message
            index += 1

    async def say(self, text: str, **kwargs: object) -> SentMessage:
        """Send `text`; returns the bot's next question (a message with buttons)."""
        since = self.seen
        self.messages += 1
        self.api.user_message(self.user_id, text, language_code=self.language, **kwargs)  # type: ignore[arg-type]
        return await self.question(since)

    async def say_and_read(self, text: str, **kwargs: object) -> SentMessage:
        """Send `text`; returns the bot's next message, whatever it is."""
        since = self.seen
        self.messages += 1
        self.api.user_message(self.user_id, text, language_code=self.language, **kwargs)  # type: ignore[arg-type]
        return (await self.api.wait_for_messages(self.user_id, 1, since=since))[0]

    async def tap(self, message: SentMessage, starts: str, ends: str = "") -> SentMessage:
        """Press the button whose data starts with `starts` (and ends with `ends`); returns
        the next question."""
        since = self.seen
        self.press(message, starts, ends)
        return await self.question(since)

    def press(self, message: SentMessage, starts: str, ends: str = "") -> str:
        """Press the button whose data starts with `starts` and ends with `ends` (on the
        message as it is now)."""
        current = self.api.message(message.chat_id, message.message_id) or {}
        keyboard = (current.get("reply_markup") or {}).get("inline_keyboard") or []
        found: list[str] = [
            b["callback_data"] for row in keyboard for b in row if "callback_data" in b
        ]
        data = next((d for d in found if d.startswith(starts) and d.endswith(ends)), None)
        assert data is not None, f"no button {starts!r} among {found}"
        self.taps += 1
        self.api.press_button(self.user_id, message, data, language_code=self.language)
        return data


async def start_milestone(admin: Admin, stage: int) -> SentMessage:
    """/post, a milestone, its stage: returns the next question (its date)."""
    question = await admin.say("/post")
    question = await admin.tap(question, "adm:p.kind.", ".milestone")
    return await admin.tap(question, "adm:p.stage.", f".{stage}")


async def post(
    admin: Admin,
    texts: dict[str, str],
    *,
    entities: dict[str, list[dict[str, object]]] | None = None,
    link: str | None = None,
    milestone: tuple[int, str] | None = None,
) -> int:
    """Write and send a post through /post like an admin; returns its number (update id).

    `milestone` is (stage, typed place); its date is today.
    """
    if milestone is None:
        question = await admin.tap(await admin.say("/post"), "adm:p.kind.", ".news")
    else:
        stage, place = milestone
        question = await start_milestone(admin, stage)
        question = await admin.tap(question, "adm:p.date.", ".today")
        question = await admin.say(place)
    for language in ("kk", "ru", "en"):
        if language in texts:
            extra = (entities or {}).get(language)
            question = await admin.say(texts[language], **({"entities": extra} if extra else {}))
        else:
            question = await admin.tap(question, "adm:p.skip.")
    if link is None:
        controls = await admin.tap(question, "adm:p.nolink.")
    else:
        controls = await admin.say(link)
    return await send(admin, controls)


async def send(admin: Admin, controls: SentMessage) -> int:
    """Press Send (or Save) under the preview; returns the post's number."""
    edits = len(admin.api.edits_to(admin.user_id))
    admin.press(controls, "adm:p.send.")
    done = (await admin.api.wait_for_edits(admin.user_id, since=edits))[0]
    found = re.search(r"#(\d+)", done.plain)
    assert found is not None, done.plain
    return int(found.group(1))


async def edited(admin: Admin, message: SentMessage, starts: str, ends: str = "") -> SentMessage:
    """Press a button whose answer replaces its message; returns the message as edited."""
    edits = len(admin.api.edits_to(admin.user_id))
    admin.press(message, starts, ends)
    return (await admin.api.wait_for_edits(admin.user_id, since=edits))[0]


async def open_card(admin: Admin, number: int) -> SentMessage:
    """/updates, then the post's card."""
    listing = await admin.say("/updates")
    assert f"#{number}" in listing.plain
    return await edited(admin, listing, f"adm:u.open.{number}")


async def correct(admin: Admin, number: int, language: str, text: str) -> None:
    """Replace the post's text in `language` through its card's Edit button, and save."""
    fields = await admin.tap(await open_card(admin, number), "adm:u.edit.")
    await admin.tap(fields, "adm:p.field.", f".{language}")
    controls = await admin.say(text)
    assert await send(admin, controls) == number
