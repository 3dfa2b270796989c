"""Helpers for the delivery tests: a settable clock, subscribers, waiting for a condition."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import VisatalksApp, build_application
from bot.config import Settings
from bot.delivery.worker import DeliveryWorker
from bot.telegram.runner import running
from storage import Store
from storage.models import ChatState, Mode
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi

ALMATY = ZoneInfo("Asia/Almaty")


class FakeClock:
    """Unix seconds that only move when a test says so."""

    def __init__(self, at: dt.datetime) -> None:
        self.now = at.timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, at: dt.datetime) -> None:
        self.now = at.timestamp()


def fast_settings(api: FakeBotApi, database_path: Path, **extra: str) -> Settings:
    """Quick per-chat spacing, so tests do not wait on Telegram's 1 message/s per chat."""
    return make_settings(
        api,
        database_path,
        DELIVERY_GLOBAL_PER_SECOND="200",
        DELIVERY_PRIVATE_PER_SECOND="50",
        DELIVERY_GROUP_PER_MINUTE="3000",
        **extra,
    )


def almaty(*args: int) -> dt.datetime:
    return dt.datetime(*args).replace(tzinfo=ALMATY)  # type: ignore[arg-type]


@asynccontextmanager
async def run_bot(
    settings: Settings, clock: Callable[[], float] | None = None
) -> AsyncIterator[VisatalksApp]:
    """The real bot long-polling the fake, with an injected wall clock if given."""
    application = build_application(settings)
    if clock is not None:
        application.bot_data.clock = clock
    async with running(application, poll_timeout=1):
        yield application


def store_of(application: VisatalksApp) -> Store:
    store = application.bot_data.store
    assert store is not None
    return store


def worker_of(application: VisatalksApp) -> DeliveryWorker:
    worker = application.bot_data.delivery
    assert worker is not None
    return worker


async def add_subscribers(
    store: Store,
    chat_ids: Iterable[int],
    *,
    mode: Mode = Mode.INSTANT,
    language: str = "ru",
    hour: int | None = None,
    weekday: int | None = None,
) -> None:
    for chat_id in chat_ids:
        await store.chats.seen(chat_id, "private" if chat_id > 0 else "group", language)
        await store.chats.subscribe(chat_id, mode, digest_hour=hour, digest_weekday=weekday)


async def wait_until(
    condition: Callable[[], bool],
    timeout: float = 15.0,  # noqa: ASYNC109
    what: str = "condition",
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


async def eventually(
    condition: Callable[[], Awaitable[bool]],
    timeout: float = 15.0,  # noqa: ASYNC109
    what: str = "condition",
) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


async def chat_state(store: Store, chat_id: int) -> ChatState | None:
    chat = await store.chats.get(chat_id)
    return None if chat is None else chat.state


async def statuses(store: Store, update_id: int) -> dict[int, str]:
    """chat_id -> delivery status of one update."""
    rows = await store.db.fetchall(
        "SELECT chat_id, status FROM deliveries WHERE update_id = ?", (update_id,)
    )
    return {int(r[0]): str(r[1]) for r in rows}
