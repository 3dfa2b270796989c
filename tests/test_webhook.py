"""Webhook mode end to end: the fake Bot API POSTs updates to our server, strangers get 403."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import VisatalksApp, build_application
from bot.config import load_settings
from bot.telegram.runner import running
from bot.telegram.webhook import SECRET_HEADER
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi

SECRET = "s3cret_Webhook-token_0123456789"
USER = 501
STRANGER = 502


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Hooked:
    def __init__(self, application: VisatalksApp, base: str) -> None:
        self.application = application
        self.base = base
        self.url = f"{base}/tg/hook"


@pytest.fixture
async def hooked(api: FakeBotApi, database_path: Path) -> AsyncIterator[Hooked]:
    port = free_port()
    settings = make_settings(
        api,
        database_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook",
        WEBHOOK_SECRET=SECRET,
        PORT=str(port),
    )
    application = build_application(settings)
    async with running(application, webhook=settings.webhook):
        yield Hooked(application, f"http://127.0.0.1:{port}")


def raw_update(api: FakeBotApi, user_id: int, text: str) -> dict[str, object]:
    """An update as the fake would send it, without queueing it."""
    return {
        "update_id": 90_000 + user_id,
        "message": {
            "message_id": 1,
            "date": 1764633600,
            "chat": {"id": user_id, "type": "private", "first_name": "X"},
            "from": {"id": user_id, "is_bot": False, "first_name": "X", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_updates_arrive_with_the_right_secret(api: FakeBotApi, hooked: Hooked) -> None:
    reply = await api.reply_to(USER, "/status", language_code="en")
    assert "2/7" in reply.plain
    assert api.webhook_deliveries, "the update came through the webhook"
    assert not api.calls_to("getUpdates"), "webhook mode never polls"
    registered = api.calls_to("setWebhook")[-1].params
    assert registered["url"] == hooked.url
    assert registered["secret_token"] == SECRET


@pytest.mark.parametrize("header", [None, "wrong", SECRET + "x", SECRET[:-1]])
async def test_a_request_without_the_secret_is_refused(
    api: FakeBotApi, hooked: Hooked, header: str | None
) -> None:
    headers = {} if header is None else {SECRET_HEADER: header}
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            hooked.url, json=raw_update(api, STRANGER, "/status"), headers=headers
        )
    assert answer.status_code == 403
    # A genuine update sent afterwards is answered; the forged one never was.
    await api.reply_to(USER, "/help", language_code="en")
    assert api.messages_to(STRANGER) == []


async def test_a_body_that_is_no_update_is_a_bad_request(hooked: Hooked) -> None:
    async with httpx.AsyncClient() as client:
        for body in (b"not json", b"[1, 2]", b'{"update_id": "x"}'):
            answer = await client.post(
                hooked.url,
                content=body,
                headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
            )
            assert answer.status_code == 400, body
        assert (await client.get(hooked.url)).status_code == 405
        assert (await client.get(f"{hooked.base}/elsewhere")).status_code == 404


async def test_healthz_answers_the_health_line(api: FakeBotApi, hooked: Hooked) -> None:
    await api.reply_to(USER, "/help")
    async with httpx.AsyncClient() as client:
        for _ in range(50):  # the heartbeat reaches SQLite within a second of the start
            answer = await client.get(f"{hooked.base}/healthz")
            if answer.status_code == 200:
                break
            await asyncio.sleep(0.1)
    assert answer.status_code == 200, answer.text
    assert answer.text.startswith("ok: schema ")
    assert "pending deliveries" in answer.text


def test_webhook_settings_are_validated() -> None:
    base = {"WEBHOOK_URL": "https://bot.example.org/tg"}
    with pytest.raises(Exception, match="WEBHOOK_SECRET: required"):
        load_settings(base)
    for bad in ("", "has space", "ümlaut", "x" * 257, "semi;colon"):
        if bad:
            with pytest.raises(Exception, match="WEBHOOK_SECRET"):
                load_settings({**base, "WEBHOOK_SECRET": bad})
    with pytest.raises(Exception, match="WEBHOOK_URL"):
        load_settings({"WEBHOOK_URL": "http://bot.example.org/tg", "WEBHOOK_SECRET": "abc"})
    ok = load_settings({**base, "WEBHOOK_SECRET": "A-b_9" * 51 + "z", "PORT": "8443"})
    assert ok.webhook.path == "/tg" and ok.webhook.port == 8443
    assert ok.webhook.listen == "127.0.0.1"
    assert "A-b_9" not in repr(ok)
