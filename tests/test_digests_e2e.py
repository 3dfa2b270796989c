"""Daily and weekly digests in Asia/Almaty, chosen with buttons, on an injected clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Settings
from bot.delivery.publishing import Announcement, publish
from bot.delivery.textsplit import TELEGRAM_LIMIT
from storage.models import Mode
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


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return make_settings(api, database_path, DELIVERY_PRIVATE_PER_SECOND="50")


def news(text: str) -> Announcement:
    return Announcement("news", {"ru": text, "kk": f"kk: {text}"})


async def settle(app: object) -> None:
    """Let the worker look at the database with the clock as it now is."""
    worker = worker_of(app)  # type: ignore[arg-type]
    worker.wake()
    await asyncio.sleep(0.05)
    await wait_until(lambda: worker.idle, what="the worker to settle")


async def test_daily_digest_chosen_with_buttons_comes_at_that_hour_almaty_time(
    api: FakeBotApi, fast: Settings
) -> None:
    clock = FakeClock(almaty(2025, 12, 3, 8, 0))
    async with run_bot(fast, clock) as app:
        store = store_of(app)
        menu = await api.reply_to(3001, "/subscribe")
        assert {"sub:instant", "sub:daily", "sub:weekly", "sub:off"} <= set(menu.callback_data)
        api.press_button(3001, menu, "sub:daily")
        hours = (await api.wait_for_edits(3001))[0]
        assert "В котором часу" in hours.plain and "Алматы" in hours.plain
        assert len(hours.callback_data) == 24 and "sub:d.9" in hours.callback_data
        api.press_button(3001, menu, "sub:d.9")
        done = (await api.wait_for_edits(3001, since=1))[0]
        assert "каждый день в 09:00 (Алматы)" in done.plain
        chat = await store.chats.get(3001)
        assert chat is not None and (chat.mode, chat.digest_hour) == (Mode.DAILY, 9)

        first = await publish(store, news("Первое обновление"))
        second = await publish(store, news("Второе обновление"))
        await settle(app)
        clock.set(almaty(2025, 12, 3, 8, 59, 59))
        await settle(app)
        assert len(api.messages_to(3001)) == 1  # only the /subscribe answer so far

        clock.set(almaty(2025, 12, 3, 9, 0, 0))
        worker_of(app).wake()
        digest = (await api.wait_for_messages(3001, since=1))[0]
        assert digest.plain.startswith("📬 Дайджест переговоров: 2 обновления")
        assert digest.plain.index("Первое") < digest.plain.index("Второе")
        assert "/settings" in digest.plain
        await settle(app)
        rows = await store.db.fetchall(
            "SELECT status, message_id FROM deliveries WHERE chat_id = 3001"
        )
        assert {tuple(r) for r in rows} == {("sent", digest.message_id)}
        assert await store.outbox.last_digest(3001) == clock.now

        # A day with nothing new: nothing is sent.
        clock.set(almaty(2025, 12, 4, 9, 0, 0))
        await settle(app)
        assert len(api.messages_to(3001)) == 2
        third = await publish(store, news("Третье"))
        clock.set(almaty(2025, 12, 4, 9, 30))
        await settle(app)
        assert len(api.messages_to(3001)) == 2
        clock.set(almaty(2025, 12, 5, 9, 0))
        worker_of(app).wake()
        again = (await api.wait_for_messages(3001, since=2))[0]
        assert again.plain.startswith("📬 Дайджест переговоров: 1 обновление\n")
        assert "Третье" in again.plain and "Первое" not in again.plain
        await settle(app)  # the send is recorded after Telegram's answer
        for update in (first, second, third):
            assert await statuses(store, update.update_id) == {3001: "sent"}


async def test_weekly_digest_comes_on_the_chosen_weekday_and_hour(
    api: FakeBotApi, fast: Settings
) -> None:
    clock = FakeClock(almaty(2025, 12, 3, 12, 0))  # a Wednesday
    async with run_bot(fast, clock) as app:
        store = store_of(app)
        menu = await api.reply_to(3101, "/subscribe", language_code="kk")
        api.press_button(3101, menu, "sub:weekly", language_code="kk")
        days = (await api.wait_for_edits(3101))[0]
        assert days.button_texts[0] == "Дүйсенбі" and days.callback_data[0] == "sub:w.0"
        api.press_button(3101, menu, "sub:w.0", language_code="kk")
        await api.wait_for_edits(3101, since=1)
        api.press_button(3101, menu, "sub:w.0.18", language_code="kk")
        done = (await api.wait_for_edits(3101, since=2))[0]
        assert "дүйсенбі, сағат 18:00 (Алматы)" in done.plain

        await publish(store, news("Апта жаңалығы"))
        for moment in (almaty(2025, 12, 7, 23, 0), almaty(2025, 12, 8, 17, 59, 59)):
            clock.set(moment)
            await settle(app)
            assert len(api.messages_to(3101)) == 1
        clock.set(almaty(2025, 12, 8, 18, 0))
        worker_of(app).wake()
        digest = (await api.wait_for_messages(3101, since=1))[0]
        assert digest.plain.startswith("📬 Келіссөздер дайджесті: 1 жаңалық")
        assert "kk: Апта жаңалығы" in digest.plain


async def test_a_digest_bundles_everything_and_splits_at_paragraphs(
    api: FakeBotApi, fast: Settings
) -> None:
    clock = FakeClock(almaty(2025, 12, 3, 8, 0))
    paragraph = "Абзац о переговорах. " * 40  # ~840 characters
    async with run_bot(fast, clock) as app:
        store = store_of(app)
        await add_subscribers(store, [3201], mode=Mode.DAILY, hour=9, language="en")
        bodies = [f"<b>Item {n}</b>\n\n{paragraph}\n\n{paragraph}" for n in range(1, 5)]
        for body in bodies:
            await publish(store, Announcement("news", {"ru": body}))
        clock.set(almaty(2025, 12, 3, 9, 0))
        worker_of(app).wake()
        parts = await api.wait_for_messages(3201, count=2, timeout=10)
        await settle(app)
        assert len(api.messages_to(3201)) == 2
        assert all(len(p.text) <= TELEGRAM_LIMIT for p in parts)
        assert parts[0].plain.startswith("📬 Digest of the talks: 4 updates")
        text = "\n\n".join(p.plain for p in parts)
        assert [text.index(f"Item {n}") for n in range(1, 5)] == sorted(
            text.index(f"Item {n}") for n in range(1, 5)
        )
        # Cut on a paragraph boundary: every part ends with a whole paragraph.
        assert all(p.plain.rstrip().endswith(("переговорах.", "/settings.")) for p in parts)
        assert text.count("This update is only available in Russian.") == 4
        ids = await store.db.fetchall("SELECT DISTINCT message_id, parts_sent FROM deliveries")
        assert [tuple(r) for r in ids] == [(parts[0].message_id, 2)]


async def test_a_digest_missed_while_the_bot_was_down_goes_out_once_at_start(
    api: FakeBotApi, fast: Settings
) -> None:
    clock = FakeClock(almaty(2025, 12, 3, 8, 0))
    async with run_bot(fast, clock) as app:
        await add_subscribers(store_of(app), [3301], mode=Mode.DAILY, hour=9)
        await publish(store_of(app), news("Пока бот спал"))
        await settle(app)
    assert api.messages_to(3301) == []
    clock.set(almaty(2025, 12, 3, 11, 0))  # 09:00 passed while the bot was down
    async with run_bot(fast, clock) as app:
        digest = (await api.wait_for_messages(3301))[0]
        assert "Пока бот спал" in digest.plain
        await settle(app)
    clock.set(almaty(2025, 12, 3, 11, 5))
    async with run_bot(fast, clock) as app:
        await settle(app)
        late = await publish(store_of(app), news("После"))
        await settle(app)
        assert len(api.messages_to(3301)) == 1  # never twice, and the new one waits
        assert await statuses(store_of(app), late.update_id) == {3301: "pending"}


async def test_switching_a_digest_chat_to_instant_sends_what_was_waiting_now(
    api: FakeBotApi, fast: Settings
) -> None:
    clock = FakeClock(almaty(2025, 12, 3, 8, 0))
    async with run_bot(fast, clock) as app:
        store = store_of(app)
        await add_subscribers(store, [3401], mode=Mode.WEEKLY, hour=9, weekday=4)
        await publish(store, news("Одно"))
        await publish(store, news("Другое"))
        await settle(app)
        menu = await api.reply_to(3401, "/subscribe")
        assert "Сейчас: раз в неделю: пятница, 09:00 (Алматы)" in menu.plain
        api.press_button(3401, menu, "sub:instant")
        digest = (await api.wait_for_messages(3401, since=1))[0]
        assert digest.plain.startswith("📬 Дайджест переговоров: 2 обновления")
        confirmation = (await api.wait_for_edits(3401))[0]
        assert "вы подписаны" in confirmation.plain


async def test_settings_show_the_subscription_and_next_digest_and_change_them(
    api: FakeBotApi, fast: Settings
) -> None:
    clock = FakeClock(almaty(2025, 12, 3, 12, 0))
    async with run_bot(fast, clock) as app:
        store = store_of(app)
        await add_subscribers(store, [3501], mode=Mode.DAILY, hour=9)
        shown = await api.reply_to(3501, "/settings")
        assert "Язык: Русский" in shown.plain
        assert "Подписка: каждый день в 09:00 (Алматы)" in shown.plain
        assert "Следующий дайджест: 4 декабря 2025, 09:00" in shown.plain
        assert shown.callback_data == [
            "sub:instant", "sub:daily", "sub:weekly", "sub:off", "menu:lang",
        ]  # fmt: skip
        waiting = await publish(store, news("Ждёт дайджеста"))
        api.press_button(3501, shown, "sub:off")
        gone = (await api.wait_for_edits(3501))[0]
        assert "отписались" in gone.plain
        assert await statuses(store, waiting.update_id) == {3501: "cancelled"}
        assert "Подписка: выключена" in (await api.reply_to(3501, "/settings")).plain
