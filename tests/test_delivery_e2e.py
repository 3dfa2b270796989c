"""Push delivery through the fake Bot API over HTTP: every error path Telegram has, and restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Settings
from bot.delivery.publishing import Announcement, publish
from storage import Store
from storage.models import ChatState, Mode
from tests.conftest import make_settings
from tests.delivery_helpers import (
    add_subscribers,
    chat_state,
    eventually,
    fast_settings,
    run_bot,
    statuses,
    store_of,
    wait_until,
    worker_of,
)
from tests.fakebotapi import FakeBotApi

NEWS = Announcement("news", {"ru": "<b>Раунд переговоров</b> в Астане", "kk": "<b>Келіссөздер</b>"})


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    """Quick delivery, and quick bounded retries."""
    return fast_settings(
        api, database_path, DELIVERY_RETRY_BASE_SECONDS="0.2", DELIVERY_MAX_ATTEMPTS="3"
    )


async def test_an_update_reaches_each_subscriber_once_in_their_language(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [501], language="kk")
        await add_subscribers(store, [502], language="ru")
        await add_subscribers(store, [503], language="en")
        await add_subscribers(store, [504], mode=Mode.OFF)
        await add_subscribers(store, [505])
        await store.chats.set_state(505, ChatState.BLOCKED)

        published = await publish(store, NEWS)
        assert published.queued == 3
        kk, ru, en = [(await api.wait_for_messages(chat))[0] for chat in (501, 502, 503)]
        assert kk.plain == "Келіссөздер" and kk.parse_mode == "HTML"
        assert ru.plain == "Раунд переговоров в Астане"
        # English is missing: Russian, with a one-line note in English saying so.
        assert en.plain == "This update is only available in Russian.\n\nРаунд переговоров в Астане"
        await wait_until(lambda: worker_of(app).idle, what="the worker to settle")
        counts = await store.outbox.counts(published.update_id)
        assert (counts.sent, counts.total) == (3, 3)
        # What a correction of the update would fix: each message where it went.
        assert await store.corrections.queue(published.update_id, admin_id=1) == 3
        sent = [fix.message for fix in await store.corrections.next(published.update_id, 10)]
        assert {(s.chat_id, s.message_id, s.language) for s in sent} == {
            (501, kk.message_id, "kk"),
            (502, ru.message_id, "ru"),
            (503, en.message_id, "en"),
        }
    assert api.messages_to(504) == [] and api.messages_to(505) == []
    assert api.delivered_count() == 3


async def test_429_waits_retry_after_then_delivers_once(api: FakeBotApi, fast: Settings) -> None:
    api.fail_next("sendMessage", chat_id=601, error_code=429, retry_after=1)
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [601, 602])
        published = await publish(store, NEWS)
        message = (await api.wait_for_messages(601, timeout=10))[0]
        await wait_until(lambda: worker_of(app).idle)
        attempts = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == 601]
        assert [c.status for c in attempts] == [429, 200]
        assert attempts[1].at - attempts[0].at >= 0.99  # retry_after honoured
        assert message.plain == "Раунд переговоров в Астане"
        row = await store.db.fetchone(
            "SELECT status, attempts, last_error FROM deliveries WHERE chat_id = 601"
        )
        assert row is not None and tuple(row) == ("sent", 0, None)  # a 429 is not a failed attempt
        assert (await store.outbox.counts(published.update_id)).sent == 2
        assert worker_of(app).stats["flood"] == 1
    assert len(api.messages_to(601)) == 1 and len(api.messages_to(602)) == 1


async def test_403_blocks_the_chat_and_my_chat_member_keeps_the_state_both_ways(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [701, 702])
        api.block(701)
        first = await publish(store, NEWS)
        await api.wait_for_messages(702)
        await wait_until(lambda: worker_of(app).idle)
        assert await statuses(store, first.update_id) == {701: "skipped", 702: "sent"}
        chat = await store.chats.get(701)
        assert chat is not None and chat.state is ChatState.BLOCKED
        assert (await publish(store, NEWS)).queued == 1  # no more sends to the blocked chat

        # The user unblocks the bot: Telegram says so with my_chat_member.
        api.my_chat_member(701, 701, "kicked", "member")
        await eventually(lambda: _is(store, 701, ChatState.ACTIVE), what="chat active")
        third = await publish(store, NEWS)
        assert third.queued == 2
        assert (await api.wait_for_messages(701))[0].plain == "Раунд переговоров в Астане"
        await api.wait_for_messages(702, since=2)
        await wait_until(lambda: worker_of(app).idle)

        # And blocks it again: the state follows without a single failed send.
        calls_before = len(api.calls_to("sendMessage"))
        api.my_chat_member(701, 701, "member", "kicked")
        await eventually(lambda: _is(store, 701, ChatState.BLOCKED), what="chat blocked")
        assert (await publish(store, NEWS)).queued == 1
        await api.wait_for_messages(702, since=3)
        await wait_until(lambda: worker_of(app).idle)
        assert len(api.calls_to("sendMessage")) == calls_before + 1
    sends_to_701 = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == 701]
    assert [c.status for c in sends_to_701] == [403, 200]


async def _is(store: Store, chat_id: int, state: ChatState) -> bool:
    return await chat_state(store, chat_id) is state


async def test_chat_not_found_marks_the_chat_gone(api: FakeBotApi, fast: Settings) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [801, 802])
        api.gone(801)
        published = await publish(store, NEWS)
        await api.wait_for_messages(802)
        await wait_until(lambda: worker_of(app).idle)
        chat = await store.chats.get(801)
        assert chat is not None and chat.state is ChatState.GONE
        row = await store.db.fetchone(
            "SELECT status, last_error FROM deliveries WHERE chat_id = 801"
        )
        assert row is not None and row[0] == "skipped" and "chat not found" in row[1].lower()
        assert (await store.outbox.counts(published.update_id)).sent == 1


async def test_a_group_that_became_a_supergroup_moves_and_gets_the_message_there(
    api: FakeBotApi, fast: Settings
) -> None:
    old, new = -4001, -1_000_000_004_001
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [old], language="kk", mode=Mode.INSTANT)
        api.migrate(old, new)
        published = await publish(store, NEWS)
        message = (await api.wait_for_messages(new))[0]
        assert message.plain == "Келіссөздер"
        await wait_until(lambda: worker_of(app).idle)
        assert await store.chats.get(old) is None
        moved = await store.chats.get(new)
        assert moved is not None and (moved.mode, moved.language) == (Mode.INSTANT, "kk")
        assert moved.type == "supergroup"
        assert await statuses(store, published.update_id) == {new: "sent"}
        # The next update goes straight to the new id.
        second = await publish(store, NEWS)
        await api.wait_for_messages(new, since=1)
        await wait_until(lambda: worker_of(app).idle)
        assert await statuses(store, second.update_id) == {new: "sent"}
    assert [c.status for c in api.calls_to("sendMessage")] == [400, 200, 200]


async def test_a_chat_reads_its_updates_in_order_even_after_a_5xx(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = fast_settings(api, database_path, DELIVERY_RETRY_BASE_SECONDS="1")
    api.fail_next("sendMessage", chat_id=951, error_code=502)
    first = Announcement("news", {"ru": "первое"})
    second = Announcement("news", {"ru": "второе"})
    async with run_bot(settings) as app:
        store = store_of(app)
        await add_subscribers(store, [951, 952])
        await publish(store, first)
        await wait_until(lambda: worker_of(app).stats["retried"] == 1, what="the 502")
        await wait_until(lambda: worker_of(app).idle, what="the retry to be recorded")
        await publish(store, second)
        # The other chat is not held up by 951's retry.
        assert [m.plain for m in await api.wait_for_messages(952, 2)] == ["первое", "второе"]
        assert len(api.messages_to(951)) == 0
        messages = await api.wait_for_messages(951, 2)
        assert [m.plain for m in messages] == ["первое", "второе"]


async def test_5xx_is_retried_with_backoff_then_failed_with_its_error(
    api: FakeBotApi, fast: Settings
) -> None:
    api.fail_next("sendMessage", chat_id=901, error_code=502, times=10)
    api.fail_next("sendMessage", chat_id=902, error_code=500, times=1)
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [901, 902])
        published = await publish(store, NEWS)
        await api.wait_for_messages(902, timeout=10)

        def failed() -> bool:
            return len([c for c in api.calls_to("sendMessage") if c.params["chat_id"] == 901]) == 3

        await wait_until(failed, timeout=5, what="three tries to 901")
        await wait_until(lambda: worker_of(app).idle)
        tries = [c.at for c in api.calls_to("sendMessage") if c.params["chat_id"] == 901]
        # Backoff 0.2 s then 0.4 s (DELIVERY_RETRY_BASE_SECONDS=0.2, doubling), 3 attempts.
        assert tries[1] - tries[0] >= 0.19 and tries[2] - tries[1] >= 0.39
        row = await store.db.fetchone(
            "SELECT status, attempts, last_error FROM deliveries WHERE chat_id = 901"
        )
        assert row is not None and tuple(row) == ("failed", 3, "Bad Gateway")
        row = await store.db.fetchone("SELECT status, attempts FROM deliveries WHERE chat_id = 902")
        assert row is not None and tuple(row) == ("sent", 1)
        errors = await store.outbox.common_errors(published.update_id)
        assert [(e.error, e.count) for e in errors] == [("Bad Gateway", 1)]
        assert [(e.error, e.count) for e in await store.outbox.common_errors()] == [
            ("Bad Gateway", 1)
        ]
    assert len(api.messages_to(901)) == 0 and len(api.messages_to(902)) == 1


async def test_restart_in_the_middle_of_a_broadcast_delivers_everything_once(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = make_settings(api, database_path, DELIVERY_GLOBAL_PER_SECOND="20")
    chats = list(range(1000, 1040))
    async with run_bot(settings) as app:
        store = store_of(app)
        await add_subscribers(store, chats)
        published = await publish(store, NEWS)
        await wait_until(lambda: api.delivered_count() >= 10, what="10 deliveries")
    # Stopped mid-broadcast (post_stop drains what is in flight); then started again.
    midway = api.delivered_count()
    assert 10 <= midway < len(chats)
    async with run_bot(settings) as app:
        await wait_until(lambda: api.delivered_count() >= len(chats), timeout=10, what="all")
        await wait_until(lambda: worker_of(app).idle)
        counts = await store_of(app).outbox.counts(published.update_id)
        assert counts.sent == len(chats)
    assert all(len(api.messages_to(chat)) == 1 for chat in chats)


async def test_pause_resume_and_cancel_an_update_in_flight(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = make_settings(api, database_path, DELIVERY_GLOBAL_PER_SECOND="20")
    chats = list(range(2000, 2060))
    async with run_bot(settings) as app:
        store = store_of(app)
        await add_subscribers(store, chats)
        published = await publish(store, NEWS)
        await wait_until(lambda: api.delivered_count() >= 5, what="5 deliveries")
        paused = await store.outbox.pause(published.update_id)
        assert paused > 0
        await wait_until(lambda: worker_of(app).in_flight == 0)
        at_pause = api.delivered_count()
        counts = await store.outbox.counts(published.update_id)
        # Sends already in flight when it was paused complete (and count as sent).
        assert counts.sent == at_pause and counts.paused == len(chats) - at_pause
        await asyncio.sleep(0.3)
        assert api.delivered_count() == at_pause  # nothing more while paused

        await store.outbox.resume(published.update_id)
        await wait_until(lambda: api.delivered_count() >= at_pause + 5, what="sending again")
        cancelled = await store.outbox.cancel(published.update_id)
        await wait_until(lambda: worker_of(app).in_flight == 0)
        counts = await store.outbox.counts(published.update_id)
        # A send already on its way when the cancel came may still be accepted: it then
        # counts as sent, not cancelled. Every row ends one or the other, never both.
        assert 0 < counts.cancelled <= cancelled
        assert cancelled - counts.cancelled <= settings.delivery.concurrency
        assert counts.sent == api.delivered_count() == len(chats) - counts.cancelled
    assert max(len(api.messages_to(chat)) for chat in chats) == 1


async def test_a_text_telegram_refuses_costs_one_request_per_language(
    api: FakeBotApi, settings: Settings
) -> None:
    # At the normal 30/s the refusal is back long before the next send would leave (sends
    # already in flight when it comes back would still go; at 30/s there are none).
    async with run_bot(settings) as app:
        store = store_of(app)
        await add_subscribers(store, range(1101, 1106), language="ru")
        await add_subscribers(store, [1110], language="kk")
        broken = Announcement("news", {"ru": "<b>не закрыт", "kk": "<b>Дұрыс</b>"})
        published = await publish(store, broken)
        await api.wait_for_messages(1110)
        await wait_until(lambda: worker_of(app).idle)
        counts = await store.outbox.counts(published.update_id)
        assert (counts.failed, counts.sent) == (5, 1)
        errors = await store.outbox.common_errors(published.update_id)
        assert errors[0].count == 5 and "can't parse entities" in errors[0].error.lower()
    refused = [c for c in api.calls_to("sendMessage") if not c.ok]
    assert len(refused) == 1  # not one per subscriber
