"""The delivery worker's parts, in process on a real store: schedule, renderer, outcomes."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest, RetryAfter

from bot.chats import ChatDirectory
from bot.config import DeliveryLimits
from bot.delivery.jobs import Job
from bot.delivery.outcomes import Outcomes
from bot.delivery.pacing import ChatPacer, global_bucket
from bot.delivery.publishing import Announcement, publish
from bot.delivery.rendering import Renderer
from bot.delivery.schedule import Schedule
from storage import Store, open_store
from storage.outbox import OutboxEvent
from tests.delivery_helpers import ALMATY, FakeClock, add_subscribers, almaty

NOW = almaty(2025, 12, 3, 8)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "parts.sqlite3")
    yield opened
    await opened.close()


async def filled(store: Store) -> Schedule:
    """A schedule that has read every row due now."""
    clock = FakeClock(NOW)
    schedule = Schedule(store.outbox, ALMATY, clock)
    await schedule.keep_slots(clock())
    await schedule.fill_or_wait(clock())
    return schedule


def chats_of(schedule: Schedule) -> list[int]:
    return sorted(job.chat_id for job in schedule.queued())


async def test_a_paused_updates_jobs_leave_the_schedule_until_it_is_resumed(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    update = (await publish(store, Announcement("news", {"ru": "x"}))).update_id
    schedule = await filled(store)
    assert chats_of(schedule) == [1, 2]

    schedule.on_event(OutboxEvent("paused", update_id=update))
    assert chats_of(schedule) == []
    await schedule.fill_or_wait(NOW.timestamp())  # the rows are still pending in SQLite
    assert chats_of(schedule) == []

    schedule.on_event(OutboxEvent("resumed", update_id=update))
    await schedule.fill_or_wait(NOW.timestamp())
    assert chats_of(schedule) == [1, 2]


async def test_a_migrated_groups_next_jobs_go_to_its_supergroup(store: Store) -> None:
    await add_subscribers(store, [-5])
    for body in ("one", "two"):
        await publish(store, Announcement("news", {"ru": body}))
    schedule = await filled(store)
    first = schedule.take()
    assert first is not None and first.chat_id == -5
    schedule.chat_moved(first, -1005)
    second = schedule.take()
    assert second is not None and second.chat_id == -1005


async def test_the_renderer_renders_once_and_again_after_a_correction(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    update = (await publish(store, Announcement("news", {"ru": "old text"}))).update_id
    schedule = await filled(store)
    renderer = Renderer(Bot("123:TEST"), store.outbox, ALMATY)
    one, two = sorted(schedule.queued(), key=lambda job: job.chat_id)
    parts = await renderer.parts(one)
    assert parts is not None and "old text" in parts[0]
    assert await renderer.parts(two) is parts  # the second chat reuses the first rendering

    one.parts, two.parts = parts, parts
    two.parts_sent = 1  # its first part is out: the rest must still fit with it
    await store.outbox.set_texts(update, {"ru": "new text"})
    renderer.forget(update, [one, two])
    assert one.parts is None
    assert two.parts is parts
    again = await renderer.parts(one)
    assert again is not None and "new text" in again[0]


def outcomes_of(store: Store, schedule: Schedule, stats: Counter[str]) -> Outcomes:
    limits = DeliveryLimits()
    return Outcomes(
        store,
        ChatDirectory(store.chats),
        schedule,
        global_bucket(limits),
        ChatPacer(limits),
        limits,
        FakeClock(NOW),
        stats,
    )


async def test_one_refused_text_fails_its_other_chats_unsent(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    await add_subscribers(store, [3], language="en")
    update = (await publish(store, Announcement("news", {"ru": "x", "en": "y"}))).update_id
    schedule = await filled(store)
    stats: Counter[str] = Counter()
    outcomes = outcomes_of(store, schedule, stats)
    first, second, english = sorted(schedule.queued(), key=lambda job: job.chat_id)

    await outcomes.refused(first, BadRequest("Can't parse entities: unclosed start tag"))
    assert await outcomes.refused_before(second)
    assert not await outcomes.refused_before(english)  # another language, another text
    assert stats == Counter(failed=2)
    counts = await store.outbox.counts(update)
    assert (counts.failed, counts.pending) == (2, 1)


async def test_a_flood_wait_defers_the_job_without_counting_a_try(store: Store) -> None:
    await add_subscribers(store, [1])
    update = (await publish(store, Announcement("news", {"ru": "x"}))).update_id
    schedule = await filled(store)
    stats: Counter[str] = Counter()
    outcomes = outcomes_of(store, schedule, stats)
    job = schedule.take()
    assert isinstance(job, Job)

    await outcomes.refused(job, RetryAfter(5))
    assert stats == Counter(flood=1)
    assert list(schedule.queued()) == [job]  # held, waiting out the flood
    assert schedule.take() is None  # not before those 5 seconds
    assert job.attempts == 0
    assert (await store.outbox.counts(update)).pending == 1
