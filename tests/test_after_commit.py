"""Events after commit: repository listeners hear of a change only once it is committed, after
the outermost transaction, and never of one that was rolled back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.delivery.publishing import Announcement, publish
from storage import Store, open_store
from storage.models import Mode
from storage.outbox import OutboxEvent
from tests.conftest import make_settings
from tests.delivery_helpers import (
    FakeClock,
    add_subscribers,
    almaty,
    run_bot,
    statuses,
    store_of,
    wait_until,
    worker_of,
)
from tests.fakebotapi import FakeBotApi

NEWS = Announcement("news", {"ru": "Раунд переговоров в Астане", "kk": "Астанадағы раунд"})


class Crash(Exception):
    """Something later in the same transaction failed."""


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        yield store
    finally:
        await store.close()


def heard(store: Store) -> list[OutboxEvent]:
    events: list[OutboxEvent] = []
    store.outbox.listen(events.append)
    return events


async def test_a_withdrawal_rolled_back_with_its_transaction_is_never_heard(
    store: Store,
) -> None:
    await add_subscribers(store, [101, 102])
    published = await publish(store, NEWS)
    events = heard(store)
    with pytest.raises(Crash):
        async with store.db.transaction():
            assert await store.outbox.cancel(published.update_id) == 2
            raise Crash
    assert events == []
    assert await statuses(store, published.update_id) == {101: "pending", 102: "pending"}


async def test_a_verb_inside_a_larger_transaction_is_heard_after_its_commit(
    store: Store,
) -> None:
    await add_subscribers(store, [201])
    published = await publish(store, NEWS)
    events = heard(store)
    async with store.db.transaction() as tx:
        await store.outbox.pause(published.update_id)
        async with store.db.transaction():  # a verb's own transaction joins the outer one
            await store.outbox.set_texts(published.update_id, {"ru": "Исправлено"})
        await tx.execute("UPDATE chats SET language = 'kk' WHERE id = 201")
        assert events == []  # not committed yet
    assert events == [
        OutboxEvent("paused", update_id=published.update_id),
        OutboxEvent("edited", update_id=published.update_id),
    ]


async def test_outside_a_transaction_a_change_is_heard_at_once(store: Store) -> None:
    await add_subscribers(store, [301])
    events = heard(store)
    published = await publish(store, NEWS)
    assert events == [OutboxEvent("queued", update_id=published.update_id)]
    await store.outbox.replan_chat(301, Mode.OFF, now=0.0)
    assert events[-1] == OutboxEvent("replanned", chat_id=301)


async def test_a_failing_callback_neither_undoes_the_commit_nor_silences_the_others(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    told: list[str] = []

    def broken() -> None:
        raise RuntimeError("listener bug")

    async with store.db.transaction() as tx:
        await tx.execute("UPDATE chats SET language = 'kk'")
        store.db.after_commit(broken)
        store.db.after_commit(lambda: told.append("second"))
    assert told == ["second"]
    assert "after-commit callback" in caplog.text


async def test_another_task_s_callback_is_not_held_by_this_task_s_transaction(
    store: Store,
) -> None:
    told: list[str] = []
    async with store.db.transaction():
        # Another task, outside any transaction of its own: told at once.
        await asyncio.create_task(_tell_now(store, told))
        assert told == ["other task"]


async def _tell_now(store: Store, told: list[str]) -> None:
    store.db.after_commit(lambda: told.append("other task"))


async def test_the_worker_still_delivers_an_update_whose_withdrawal_rolled_back(
    api: FakeBotApi, database_path: Path
) -> None:
    """The worker stops an update when told of its withdrawal; told before a rollback, it
    stopped it for good (until a restart) though its rows were still pending."""
    settings: Settings = make_settings(api, database_path, DELIVERY_PRIVATE_PER_SECOND="50")
    clock = FakeClock(almaty(2025, 12, 3, 8, 0))
    async with run_bot(settings, clock) as app:
        store = store_of(app)
        worker = worker_of(app)
        await add_subscribers(store, [3501, 3502], mode=Mode.DAILY, hour=9)
        published = await publish(store, NEWS)  # waits for the 09:00 digest
        with pytest.raises(Crash):
            async with store.db.transaction():
                await store.outbox.cancel(published.update_id)
                raise Crash
        assert await statuses(store, published.update_id) == {3501: "pending", 3502: "pending"}

        clock.set(almaty(2025, 12, 3, 9, 0))
        worker.wake()
        for chat in (3501, 3502):
            digest = (await api.wait_for_messages(chat, timeout=10))[0]
            assert "Раунд переговоров в Астане" in digest.plain
        await wait_until(lambda: worker.idle, what="the worker to record the sends")
        assert await statuses(store, published.update_id) == {3501: "sent", 3502: "sent"}
