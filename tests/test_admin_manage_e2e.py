"""Admins after posting, end to end: correcting a post (edited in place, or a correction
reply), withdrawing it, watching and steering deliveries, statistics, the audit log, the
refusal of everyone else, the admins' command menu, and a draft that times out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import subscriptions
from bot.config import Settings
from storage.models import Mode
from tests.admin_helpers import Admin, edited, fast_settings, open_card, post, send
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import (
    add_subscribers,
    eventually,
    run_bot,
    statuses,
    store_of,
    wait_until,
    worker_of,
)
from tests.fakebotapi import FakeBotApi


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return fast_settings(api, database_path)


async def test_correction_edits_in_place_replies_where_it_cannot_and_pending_go_out_new(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [601, 602], language="ru")
        await add_subscribers(store, [603], language="ru", mode=Mode.DAILY, hour=9)
        admin = Admin(api)
        number = await post(admin, {"ru": "Старый текст новости"})
        first = {chat: (await api.wait_for_messages(chat))[0] for chat in (601, 602)}
        await wait_until(lambda: worker_of(app).idle)
        assert "Старый текст" in first[601].plain

        # Telegram refuses to edit 602's message (for whatever reason: the bot falls back).
        api.fail_next(
            "editMessageText",
            chat_id=602,
            error_code=400,
            description="Bad Request: message can't be edited",
        )
        card = await open_card(admin, number)
        assert "Старый текст новости" in card.plain and "отправлено 2" in card.plain
        fields = await admin.tap(card, "adm:u.edit.")
        assert "Что изменить?" in fields.plain
        ask = await admin.tap(fields, "adm:p.field.", ".ru")
        assert "русском" in ask.plain
        controls = await admin.say("Новый текст новости")
        assert (
            "Исправление публикации" in controls.plain
            and "текст которых изменится: 2" in controls.plain
        )
        before = api.messages_to(ADMIN_ID)
        assert await send(admin, controls) == number

        fixed = (await api.wait_for_edits(601))[0]
        assert fixed.message_id == first[601].message_id
        assert fixed.plain == "Новый текст новости"
        reply = (await api.wait_for_messages(602, since=1))[0]
        assert reply.reply_to_message_id == first[602].message_id
        assert reply.plain == "✏️ Исправленная версия этого сообщения:\n\nНовый текст новости"
        report = (await api.wait_for_messages(ADMIN_ID, since=len(before)))[0]
        assert "Отредактировано: 1" in report.plain and "Отправлена поправка: 1" in report.plain

        # The digest subscriber's delivery was still waiting: it goes out with the new text
        # (switching to instant sends what waited at once).
        chats = app.bot_data.chats
        assert chats is not None
        await subscriptions.change(chats, store, 603, Mode.INSTANT, now=0)
        late = (await api.wait_for_messages(603))[0]
        assert "Новый текст новости" in late.plain and "Старый" not in late.plain

        news = await api.reply_to(601, "/news")
        assert "Новый текст новости" in news.plain and "Старый текст" not in news.plain
        actions = [e.action for e in await store.audit.recent(10)]
        assert actions[:3] == ["post.corrected", "post.edited", "post.sent"]


async def test_withdraw_cancels_waiting_deliveries_and_takes_the_milestone_back(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [701, 703], language="ru")
        await add_subscribers(store, [702], language="ru", mode=Mode.WEEKLY, hour=9, weekday=0)
        admin = Admin(api)
        number = await post(
            admin, {"ru": "Соглашение парафировано в Брюсселе."}, milestone=(4, "Брюссель")
        )
        (delivered,) = await api.wait_for_messages(701)
        (refused,) = await api.wait_for_messages(703)
        await wait_until(lambda: worker_of(app).idle)
        api.fail_next("editMessageText", chat_id=703, error_code=400, description="Bad Request: no")
        assert "Соглашения парафированы" in (await api.reply_to(701, "/status")).plain

        card = await open_card(admin, number)
        question = await edited(admin, card, "adm:u.withdraw.")
        assert "Отозвать публикацию" in question.plain and "(1)" in question.plain
        after = await edited(admin, question, "adm:u.gone.")
        assert "Отозвана" in after.plain
        assert "adm:u.edit." not in " ".join(after.callback_data)  # nothing left to correct
        assert api.answered_callbacks[-1].text == (
            f"Публикация #{number} отозвана; отменено доставок: 1; будет заменено пометкой: 2."
        )
        # The message 701 already has now says the post was withdrawn.
        (marked,) = await api.wait_for_edits(701)
        assert marked.message_id == delivered.message_id
        note = "❌ Это обновление отозвано редакцией. Актуальные сведения — /status и /news."
        assert marked.plain == note
        # 703's message could not be edited: the note comes as a reply to it, on its own.
        (reply,) = await api.wait_for_messages(703, since=1)
        assert (reply.reply_to_message_id, reply.plain) == (refused.message_id, note)
        report = await eventually_message(api, ADMIN_ID, "помечены как отозванные")
        assert "Отредактировано: 1" in report and "Пометка отправлена ответом: 1" in report

        assert await statuses(store, number) == {701: "sent", 702: "cancelled", 703: "sent"}
        status = await api.reply_to(701, "/status")
        assert "Начало переговоров" in status.plain
        assert "парафировано в Брюсселе" not in status.plain
        news = await api.reply_to(701, "/news")
        assert "Соглашение парафировано" not in news.plain
        actions = [entry.action for entry in await store.audit.recent(5)]
        assert "post.withdrawn" in actions

        # A second tap on the confirmation (a double tap) changes nothing.
        api.press_button(ADMIN_ID, question, f"adm:u.gone.{number}", check=False)
        await eventually(
            lambda: _answered_with(api, "уже отозвана"), what="the second withdrawal answered"
        )


async def eventually_message(api: FakeBotApi, chat_id: int, text: str) -> str:
    """The first message to `chat_id` containing `text`, once it has come."""

    def found() -> str | None:
        return next((m.plain for m in api.messages_to(chat_id) if text in m.plain), None)

    await wait_until(lambda: found() is not None, what=f"a message with {text!r}")
    return found() or ""


async def _answered_with(api: FakeBotApi, text: str) -> bool:
    return any(text in (a.text or "") for a in api.answered_callbacks)


async def test_broadcasts_pause_resume_and_cancel(api: FakeBotApi, fast: Settings) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, range(801, 806), language="ru", mode=Mode.DAILY, hour=9)
        admin = Admin(api)
        number = await post(admin, {"ru": "Новость для дайджеста"})
        screen = await admin.say("/broadcasts")
        assert f"#{number}" in screen.plain and "в очереди 5" in screen.plain
        screen = await edited(admin, screen, f"adm:b.pause.{number}")
        assert "на паузе 5" in screen.plain
        screen = await edited(admin, screen, f"adm:b.resume.{number}")
        assert "в очереди 5" in screen.plain
        ask = await edited(admin, screen, f"adm:b.cancel.{number}")
        assert "Отменить неотправленные доставки" in ask.plain
        screen = await edited(admin, ask, f"adm:b.stop.{number}")
        assert "Сейчас нет идущих рассылок." in screen.plain
        assert set((await statuses(store, number)).values()) == {"cancelled"}
        actions = [e.action for e in await store.audit.recent(3)]
        assert actions == ["delivery.cancelled", "delivery.resumed", "delivery.paused"]
        assert len(api.answered_callbacks) == len(
            [u for u in api.updates if "callback_query" in u]
        ), "every callback query is answered"


async def test_stats_count_subscribers_and_show_delivery_errors(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [901, 902], language="kk")
        await add_subscribers(store, [903], language="en", mode=Mode.WEEKLY, hour=9, weekday=0)
        await add_subscribers(store, [904], language="ru")
        api.fail_next("sendMessage", chat_id=904, error_code=400, description="Bad Request: boom")
        admin = Admin(api)
        number = await post(admin, {"kk": "Жаңалық", "ru": "Новость"})
        await wait_until(lambda: api.delivered_count(902) == 1)
        await wait_until(lambda: worker_of(app).idle)
        stats = await admin.say_and_read("/stats")
        assert "активны 4" in stats.plain
        assert "Қазақша 2 · Русский 1 · English 1" in stats.plain
        assert "сразу 3 · раз в день 0 · раз в неделю 1" in stats.plain
        assert f"#{number} 📰 Новость" in stats.plain
        assert "в очереди 1, отправлено 2, ошибки 1" in stats.plain
        assert "Boom ×1" in stats.plain
        assert "Ленты\nЛент пока нет" in stats.plain  # the feeds' section, through the hook


async def test_others_are_refused_and_audited_usernames_grant_nothing(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        intruder = Admin(api, user_id=4242)
        commands = (
            "/post",
            "/updates",
            "/stats",
            "/broadcasts",
            "/audit",
            "/facts_admin",
            "/feeds",
        )
        for command in commands:
            since = intruder.seen
            api.user_message(4242, command, username="admin", first_name="Admin")
            answer = (await api.wait_for_messages(4242, since=since))[0]
            assert answer.plain == "Эта команда только для редакторов бота.", command
        # A forged admin button is refused too, and answered.
        api.press_button(4242, api.messages_to(4242)[-1], "adm:u.gone.1", check=False)
        await eventually(lambda: _answered_with(api, "только для редакторов"), what="the refusal")
        refused = [e for e in await store.audit.recent(20) if e.action == "refused"]
        assert {e.user_id for e in refused} == {4242}
        assert len(refused) == len(commands) + 1
        assert await store.posts.count() == 0
        # And the admin reads it in /audit.
        log = await Admin(api).say_and_read("/audit")
        assert "4242" in log.plain and "отказ: /post" in log.plain


async def test_admin_menu_is_chat_scoped_and_follows_the_admins_language(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast):
        scope = {"type": "chat", "chat_id": ADMIN_ID}
        await Admin(api).say_and_read("/help")
        menu = api.commands(scope=scope)
        names = [c["command"] for c in menu]
        admin_commands = [
            "post",
            "updates",
            "stats",
            "broadcasts",
            "facts_admin",
            "questions",
            "feeds",
            "channels",
            "audit",
        ]
        assert names[-9:] == admin_commands
        assert "status" in names  # the public commands stay
        assert menu[-9]["description"] == "Опубликовать новость или этап"
        assert "post" not in [c["command"] for c in api.commands()]  # nobody else sees it
        keyboard = await Admin(api).say("/lang")
        api.press_button(ADMIN_ID, keyboard, "lang:en")
        await api.wait_for_edits(ADMIN_ID)
        await Admin(api).say_and_read("/stats")
        assert api.commands(scope=scope)[-9]["description"] == "Post news or a milestone"


async def test_an_abandoned_draft_times_out_and_can_be_continued(
    api: FakeBotApi, database_path: Path
) -> None:
    settings = fast_settings(api, database_path, ADMIN_DRAFT_TIMEOUT="1")
    async with run_bot(settings):
        admin = Admin(api)
        kind = await admin.say("/post")
        ask_kk = await admin.tap(kind, "adm:p.kind.", ".news")
        assert "казахском" in ask_kk.plain
        note = (await api.wait_for_messages(ADMIN_ID, since=admin.seen, timeout=10))[0]
        assert "черновик отложен" in note.plain
        # The typed text no longer goes to the draft: the conversation has ended.
        await asyncio.sleep(0.1)
        resume = await admin.say("/post")
        assert "незаконченный черновик" in resume.plain and "Новость" in resume.plain
        again = await admin.tap(resume, "adm:p.resume.")
        assert "казахском" in again.plain
        cancelled = await edited(admin, again, "adm:p.cancel.")
        assert cancelled.plain == "Черновик удалён."
        fresh = await admin.say("/post")
        assert "Что публикуем?" in fresh.plain
