"""Fixing delivered messages after a correction, end to end: the queue outlives a restart,
and a second correction made while the first is still being applied wins everywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.app import VisatalksApp
from bot.config import Settings
from bot.delivery.publishing import Announcement, publish
from storage import Store, open_store
from storage.models import FinishedCorrection
from storage.outbox import SentMark
from tests import admin_helpers, delivery_helpers
from tests.admin_helpers import Admin, correct, post, send
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import (
    add_subscribers,
    eventually,
    run_bot,
    store_of,
    wait_until,
    worker_of,
)
from tests.fakebotapi import FakeBotApi, SentMessage

READERS = list(range(801, 807))


def slow_corrections(api: FakeBotApi, database_path: Path) -> Settings:
    """Quick delivery, but one correction a second: slow enough to interrupt."""
    return delivery_helpers.fast_settings(api, database_path, ADMIN_CORRECTIONS_PER_SECOND="1")


def reports(api: FakeBotApi) -> list[SentMessage]:
    return [m for m in api.messages_to(ADMIN_ID) if "доставленные сообщения исправлены" in m.plain]


def current_text(api: FakeBotApi, message: SentMessage) -> str:
    stored = api.message(message.chat_id, message.message_id) or {}
    return str(stored.get("text", ""))


async def publish_to_readers(api: FakeBotApi, settings: Settings) -> dict[int, SentMessage]:
    """Post 'Старый текст' to six readers; their delivered messages."""
    async with run_bot(settings) as app:
        await add_subscribers(store_of(app), READERS, language="ru")
        await post(Admin(api), {"ru": "Старый текст"})
        delivered = {chat: (await api.wait_for_messages(chat))[0] for chat in READERS}
        await wait_until(lambda: worker_of(app).idle)
    return delivered


async def start_correcting(api: FakeBotApi, app: VisatalksApp, text: str) -> int:
    """Correct the latest post to `text` and wait until its first message is fixed."""
    number = (await store_of(app).outbox.latest(1))[0].id
    await correct(Admin(api), number, "ru", text)
    await api.wait_for_edits(READERS[0])
    return number


async def test_a_correction_cut_short_by_a_restart_carries_on_after_it(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = slow_corrections(api, database_path)
    delivered = await publish_to_readers(api, settings)

    async with run_bot(settings) as app:
        await start_correcting(api, app, "Новый текст")
    fixed_before = [chat for chat in READERS if api.edits_to(chat)]
    assert 0 < len(fixed_before) < len(READERS), "the stop came in the middle"
    assert reports(api) == []

    async with run_bot(settings):
        await wait_until(lambda: bool(reports(api)), what="the report after the restart")
        for chat in READERS:
            assert current_text(api, delivered[chat]) == "Новый текст", chat
            assert api.messages_to(chat) == [delivered[chat]]  # edited, no correction reply
    (report,) = reports(api)
    assert "Отредактировано: 6" in report.plain and "Не удалось: 0" in report.plain


async def test_a_second_correction_during_the_first_wins_everywhere(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = slow_corrections(api, database_path)
    delivered = await publish_to_readers(api, settings)

    async with run_bot(settings) as app:
        number = await start_correcting(api, app, "Второй текст")
        await correct(Admin(api), number, "ru", "Третий текст")
        await wait_until(
            lambda: all(current_text(api, delivered[c]) == "Третий текст" for c in READERS),
            what="every message to read the latest text",
        )
        await wait_until(lambda: bool(reports(api)), what="the report")
        assert not await store_of(app).corrections.has_queued(number)
    assert "Отредактировано: 6" in reports(api)[-1].plain
    assert len(reports(api)) <= 2  # one, or two if the first finished before the second came


async def test_a_report_lost_to_a_stop_is_sent_at_the_next_start(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = slow_corrections(api, database_path)
    await publish_to_readers(api, settings)
    # Every message fixed, then the bot stopped before it could tell the admin.
    store = await open_store(database_path)
    try:
        number = (await store.outbox.latest(1))[0].id
        assert await store.corrections.queue(number, ADMIN_ID) == len(READERS)
        for fix in await store.corrections.next(number, 100):
            await store.corrections.done(fix, "edited")
    finally:
        await store.close()

    async with run_bot(settings) as app:
        await wait_until(lambda: bool(reports(api)), what="the report")
        await eventually(
            lambda: _nothing_queued(store_of(app)), what="the reported correction to be cleared"
        )
    (report,) = reports(api)
    assert "Отредактировано: 6" in report.plain
    assert all(not api.edits_to(chat) for chat in READERS)  # nothing was fixed twice


async def test_an_error_while_correcting_is_retried(
    api: FakeBotApi, database_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = slow_corrections(api, database_path)
    delivered = await publish_to_readers(api, settings)
    async with run_bot(settings) as app:
        corrections = store_of(app).corrections
        original = corrections.finish
        failed: list[int] = []

        async def finish_failing_once(update_id: int) -> FinishedCorrection | None:
            if not failed:
                failed.append(update_id)
                raise sqlite3.OperationalError("database is locked")
            return await original(update_id)

        monkeypatch.setattr(corrections, "finish", finish_failing_once)
        await start_correcting(api, app, "Новый текст")
        await wait_until(lambda: bool(reports(api)), what="the report after the retry")
    assert failed
    assert all(current_text(api, delivered[c]) == "Новый текст" for c in READERS)
    assert "Отредактировано: 6" in reports(api)[0].plain


async def _nothing_queued(store: Store) -> bool:
    return not await store.corrections.updates_queued()


async def test_the_queue_takes_long_texts_cut_short_only_for_a_withdrawal(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "w.sqlite3")
    try:
        await add_subscribers(store, [11, 12, 13])
        update_id = (await publish(store, Announcement("news", {"ru": "x"}))).update_id
        rows = {row.chat_id: row for row in await store.outbox.due(1e12, 10)}
        await store.outbox.mark_sent([SentMark((rows[13].id,), 13, 701, "ru", 1)])
        await store.outbox.mark_progress([rows[11].id], 1, 501)  # part 1 of 2 went out
        await store.outbox.cancel(update_id)  # 11 and 12 will get nothing more

        assert await store.corrections.queue(update_id, ADMIN_ID) == 1  # a correction: 13
        assert await store.corrections.queue(update_id, ADMIN_ID, cut_short=True) == 2
        fixes = await store.corrections.next(update_id, 10)
        assert [(f.message.chat_id, f.message.message_id) for f in fixes] == [(11, 501), (13, 701)]
        assert [f.revision for f in fixes] == [1, 2]
        # Queued again without renewing: nothing changes for what is already queued.
        assert await store.corrections.queue(update_id, ADMIN_ID, renew=False, cut_short=True) == 0
        assert [f.revision for f in await store.corrections.next(update_id, 10)] == [1, 2]
    finally:
        await store.close()


async def test_a_correction_of_one_language_edits_only_the_messages_that_change(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = admin_helpers.fast_settings(api, database_path)
    russian, kazakh, english = [821, 822], [823, 824], [825]
    async with run_bot(settings) as app:
        store = store_of(app)
        await add_subscribers(store, russian, language="ru")
        await add_subscribers(store, kazakh, language="kk")
        await add_subscribers(store, english, language="en")  # reads the Russian text
        admin = Admin(api)
        number = await post(admin, {"kk": "Ескі мәтін", "ru": "Старый текст"})
        for chat in russian + kazakh + english:
            await api.wait_for_messages(chat)
        await wait_until(lambda: worker_of(app).idle)

        card = await admin_helpers.open_card(admin, number)
        fields = await admin.tap(card, "adm:u.edit.")
        await admin.tap(fields, "adm:p.field.", ".ru")
        controls = await admin.say("Новый текст")
        assert "текст которых изменится: 3" in controls.plain
        assert await send(admin, controls) == number

        await wait_until(lambda: bool(reports(api)), what="the correction's report")
        assert "Отредактировано: 3" in reports(api)[0].plain
        calls = api.calls_to("editMessageText")
        edited = sorted(c.params["chat_id"] for c in calls if c.params["chat_id"] != ADMIN_ID)
        assert edited == sorted(russian + english)  # not the Kazakh readers'
        assert all(api.edits_to(chat) == [] for chat in kazakh)
