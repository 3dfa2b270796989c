"""The admins' chat-scoped menus: in kk, ru and en at once, set at start or at first contact."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.admin_helpers import Admin
from tests.conftest import ADMIN_ID, make_settings
from tests.delivery_helpers import run_bot
from tests.fakebotapi import FakeBotApi

SCOPE = {"type": "chat", "chat_id": ADMIN_ID}
POST = {"kk": "Жаңалық немесе кезең жариялау", "ru": "Опубликовать новость или этап",
        "en": "Post news or a milestone"}  # fmt: skip


def admin_menu(api: FakeBotApi, language_code: str = "") -> dict[str, str]:
    return {c["command"]: c["description"] for c in api.commands(SCOPE, language_code)}


async def test_an_admin_known_to_telegram_gets_every_language_at_start(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = make_settings(api, database_path)
    async with run_bot(settings):
        await Admin(api, language="en").say_and_read("/status")  # the admin opens the bot
    api.clear_records()
    api._commands.clear()  # forget the menus: the next start must set them
    async with run_bot(settings):
        for language, description in POST.items():
            assert admin_menu(api, language)["post"] == description
        assert "status" in admin_menu(api, "kk")  # the public commands stay beside them
        # Any other app language: the admin's /lang (here Telegram's English).
        assert admin_menu(api)["post"] == POST["en"]
        assert not api.calls_to("sendMessage")  # the admin has not written again


async def test_an_admin_who_never_opened_the_bot_gets_it_at_first_contact(
    api: FakeBotApi, database_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with run_bot(make_settings(api, database_path)):
        assert admin_menu(api, "ru") == {}  # Telegram refused: the chat is unknown to it
        refusals = [c for c in api.calls_to("setMyCommands") if not c.ok]
        assert refusals and "chat not found" in refusals[0].summary()
        await Admin(api, language="kk").say_and_read("/status")  # not an admin command
        for language, description in POST.items():
            assert admin_menu(api, language)["post"] == description
        assert admin_menu(api)["post"] == POST["kk"]
    noisy = [r for r in caplog.records if "menu" in r.getMessage() and r.levelno >= logging.INFO]
    assert noisy == []  # the refusal at start is expected: not worth a log line
