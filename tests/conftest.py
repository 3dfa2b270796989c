"""Shared fixtures: the fake Bot API on 127.0.0.1 and the real bot long-polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from bot.answers import Answerer
from bot.app import VisatalksApp, build_application
from bot.config import Settings, load_settings
from bot.seeds import load_seeds
from bot.telegram.runner import running
from storage import Store, open_store
from tests.fakebotapi import FakeBotApi

ADMIN_ID = 42
TOKEN = "123456:AAFakeTokenForTestsOnly_0123456789ab"  # shaped like a real one


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "visatalks.sqlite3"


@pytest.fixture
def settings(api: FakeBotApi, database_path: Path) -> Settings:
    return make_settings(api, database_path)


def make_settings(api: FakeBotApi, database_path: Path, **extra: str) -> Settings:
    return load_settings(
        {
            "BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_PATH": str(database_path),
            "ADMIN_IDS": str(ADMIN_ID),
            **extra,
        }
    )


StartBot = Callable[..., AbstractAsyncContextManager[VisatalksApp]]


@pytest.fixture
def start_bot(settings: Settings) -> StartBot:
    """`async with start_bot() as app:` runs the real bot, long-polling the fake API."""

    @asynccontextmanager
    async def start(custom: Settings | None = None) -> AsyncIterator[VisatalksApp]:
        application = build_application(custom or settings)
        async with running(application, poll_timeout=1):
            yield application

    return start


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[VisatalksApp]:
    async with start_bot() as application:
        yield application


@pytest.fixture
async def seeded_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A database with the seed articles, facts and milestones, as at the first start."""
    opened = await open_store(tmp_path / "seeded.sqlite3")
    await load_seeds(opened)
    yield opened
    await opened.close()


@pytest.fixture
def answerer(seeded_store: Store) -> Answerer:
    return Answerer(seeded_store)
