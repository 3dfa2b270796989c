"""Publishing channels end to end through the fake Bot API: an admin adds a channel (checked
with getChat / getChatMember), it gets each update once as a framed post in its language,
corrections and withdrawals edit that post; a channel that cannot be posted in is refused
with nothing queued; /subscribe posted in a channel subscribes it; the bot removed from a
channel (or stripped of its rights) marks it gone and stops its deliveries."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.config import Settings
from bot.delivery.pacing import HEADROOM
from bot.delivery.publishing import Announcement, publish
from storage import Store
from storage.models import ChatState, Mode
from tests import admin_helpers
from tests.admin_helpers import Admin, correct, edited, open_card, post
from tests.conftest import ADMIN_ID, TOKEN, make_settings
from tests.delivery_helpers import (
    add_subscribers,
    eventually,
    run_bot,
    statuses,
    store_of,
    wait_until,
    worker_of,
)
from tests.fakebotapi import FakeBotApi, RateLimits, SentMessage

CHANNEL = -1001000000001
OWNER = 5001  # the channel's owner (not a bot admin)
READER = 901
BOT_LINK = "https://t.me/visatalks_bot?start=subscribe"


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return admin_helpers.fast_settings(api, database_path)


async def add_by_command(admin: Admin, target: str, language: str, mode: str) -> SentMessage:
    """/channels add <target>, a language, a mode: returns the confirmation."""
    question = await admin.say(f"/channels add {target}")
    question = await edited(admin, question, "adm:c.lang.", f".{language}")
    return await edited(admin, question, "adm:c.mode.", f".{mode}")


async def channel_messages(api: FakeBotApi, count: int = 1) -> list[SentMessage]:
    return await api.wait_for_messages(CHANNEL, count)


def current(api: FakeBotApi, message: SentMessage) -> str:
    return str((api.message(message.chat_id, message.message_id) or {}).get("text", ""))


async def test_an_added_channel_gets_a_milestone_in_its_language_once_then_its_fixes(
    api: FakeBotApi, fast: Settings
) -> None:
    api.add_channel(CHANNEL, "Виза жаңалықтары", "visa_kz")
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [READER], language="ru")
        admin = Admin(api)
        done = await add_by_command(admin, "@visa_kz", "kk", "instant")
        assert "добавлен" in done.plain and "Қазақша" in done.plain, done.plain
        assert done.buttons == []
        calls = [call.method for call in api.calls if call.method.startswith("getChat")]
        assert calls.count("getChat") >= 1 and calls.count("getChatMember") >= 1

        number = await post(
            admin,
            {"kk": "Келіссөздердің бірінші раунды өтті.", "ru": "Первый раунд переговоров прошёл."},
            milestone=(3, "Брюссель"),
            link="https://www.gov.kz/news/1",
        )
        (sent,) = await channel_messages(api)
        (private,) = await api.wait_for_messages(READER)
        await wait_until(lambda: worker_of(app).idle)
        # A proper post in Kazakh: header, the milestone and its text, the source as a link,
        # the date, and the link to the bot.
        assert sent.plain.startswith("📍 Қазақстан – ЕО келіссөздері: жаңа кезең"), sent.plain
        assert "Келіссөздердің бірінші раунды өтті." in sent.plain
        assert "Жарияланған күні:" in sent.plain
        assert 'href="https://www.gov.kz/news/1"' in sent.text
        assert f'href="{BOT_LINK}"' in sent.text
        assert "Ботқа сұрақ қою" in sent.plain or "ботқа сұрақ қою" in sent.plain
        # The private reader's message is not framed as a channel post.
        assert BOT_LINK not in private.text and "Первый раунд" in private.plain
        # Exactly once.
        assert len(api.messages_to(CHANNEL)) == 1
        assert (await store.channels.counts(number)).sent == 1
        stats = await admin.say_and_read("/stats")
        assert "Каналы: 1 публикуются, 0 недоступны" in stats.plain, stats.plain
        assert f"#{number}: каналы 1 из 1" in stats.plain

        # A correction edits the post in place, framed the same way.
        await correct(admin, number, "kk", "Келіссөздердің бірінші раунды Брюссельде өтті.")
        (fixed,) = await api.wait_for_edits(CHANNEL)
        assert fixed.message_id == sent.message_id
        assert "Брюссельде өтті" in fixed.plain and f'href="{BOT_LINK}"' in fixed.text
        assert fixed.plain.startswith("📍 Қазақстан – ЕО келіссөздері")

        # A withdrawal marks it, in Kazakh, still in place.
        card = await open_card(admin, number)
        question = await edited(admin, card, "adm:u.withdraw.")
        await edited(admin, question, "adm:u.gone.")
        await api.wait_for_edits(CHANNEL, 2)
        marked = current(api, sent)
        assert "Бұл жаңалықты редакция қайтарып алды." in marked
        assert "/status" not in marked and "/news" not in marked  # no commands in a channel
        assert "Брюссельде" not in marked
        assert len(api.messages_to(CHANNEL)) == 1  # never a second post

        # /channels shows it with its health; the addition is audited.
        listing = await admin.say_and_read("/channels")
        assert "visa_kz" in listing.plain and "публикуется" in listing.plain
        assert "ещё не было" not in listing.plain  # its last delivery is shown
        actions = [entry.action for entry in await store.audit.recent(20)]
        assert "channel.added" in actions


async def test_a_channel_added_by_forwarding_a_post_gets_a_daily_digest(
    api: FakeBotApi, fast: Settings
) -> None:
    api.add_channel(CHANNEL, "Закрытый канал")  # private: no @username
    async with run_bot(fast) as app:
        store = store_of(app)
        admin = Admin(api)
        since = admin.seen
        api.forward_from_channel(ADMIN_ID, CHANNEL, "Пост из канала")
        question = await admin.question(since)
        assert "Закрытый канал" in question.plain
        question = await edited(admin, question, "adm:c.lang.", ".en")
        await edited(admin, question, "adm:c.mode.", ".daily")
        chat = await store.chats.get(CHANNEL)
        assert chat is not None
        assert (chat.type, chat.language, chat.mode) == ("channel", "en", Mode.DAILY)
        published = await publish(store, Announcement("news", {"ru": "Новость"}))
        # A digest row: due at the channel's digest time, not at once.
        row = await store.db.fetchone(
            "SELECT due_at FROM deliveries WHERE update_id = ? AND chat_id = ?",
            (published.update_id, CHANNEL),
        )
        assert row is not None and row[0] is not None
        broadcasts = await admin.say_and_read("/broadcasts")
        assert "Каналы: опубликовано 0 из 1" in broadcasts.plain, broadcasts.plain


async def test_a_channel_the_bot_cannot_post_in_is_refused_and_nothing_is_queued(
    api: FakeBotApi, fast: Settings
) -> None:
    api.add_channel(CHANNEL, "Без прав", "no_rights", can_post=False)
    api.add_channel(CHANNEL - 1, "Без бота", "no_bot", bot_status="left")
    async with run_bot(fast) as app:
        store = store_of(app)
        admin = Admin(api)
        refusal = await admin.say_and_read("/channels add @no_rights")
        assert "без права публиковать сообщения" in refusal.plain, refusal.plain
        assert "Канал не добавлен" in refusal.plain and refusal.buttons == []
        refusal = await admin.say_and_read("/channels add no_bot")
        assert "Я не администратор канала" in refusal.plain, refusal.plain
        refusal = await admin.say_and_read("/channels add @nobody_here")
        assert "Не нахожу канал" in refusal.plain
        refusal = await admin.say_and_read("/channels add кто-то")
        assert "не канал" in refusal.plain

        # A forged button for the channel without rights is checked again, and refused.
        menu = await admin.say_and_read("/channels")
        forged = f"adm:c.mode.{CHANNEL}.ru.instant"
        since = len(api.edits_to(ADMIN_ID))
        api.press_button(ADMIN_ID, menu, forged, check=False)
        (answer,) = await api.wait_for_edits(ADMIN_ID, since=since)
        assert "без права публиковать" in answer.plain
        # And anyone but an admin is refused, and audited.
        api.press_button(4242, menu, f"adm:c.mode.{CHANNEL - 1}.ru.instant", check=False)
        await eventually(lambda: _refused(store), what="the refused button in the audit log")

        published = await publish(store, Announcement("news", {"ru": "Новость"}))
        await wait_until(lambda: worker_of(app).idle)
        assert await store.chats.get(CHANNEL) is None
        assert await store.chats.get(CHANNEL - 1) is None
        assert CHANNEL not in await statuses(store, published.update_id)
        assert api.messages_to(CHANNEL) == [] and api.messages_to(CHANNEL - 1) == []
        assert await store.channels.listing() == []


async def _refused(store: Store) -> bool:
    return any(
        entry.action == "refused" and entry.user_id == 4242
        for entry in await store.audit.recent(10)
    )


async def test_subscribe_posted_in_a_channel_subscribes_it(api: FakeBotApi, fast: Settings) -> None:
    api.add_channel(CHANNEL, "Каналымыз", "our_channel")
    async with run_bot(fast) as app:
        store = store_of(app)
        api.channel_post(CHANNEL, "/subscribe kk")
        (answer,) = await channel_messages(api)
        assert answer.plain.startswith("✅ Арна жазылды"), answer.plain
        chat = await store.chats.get(CHANNEL)
        assert chat is not None
        assert (chat.type, chat.language, chat.mode) == ("channel", "kk", Mode.INSTANT)
        # Listed for the admins, as added by nobody.
        (channel,) = await store.channels.listing()
        assert channel.username == "our_channel" and channel.added_by is None

        await publish(store, Announcement("news", {"kk": "Жаңалық", "ru": "Новость"}))
        (_, update) = await channel_messages(api, 2)
        assert "Жаңалық" in update.plain and BOT_LINK in update.text
        await wait_until(lambda: worker_of(app).idle)
        assert len(api.messages_to(CHANNEL)) == 2  # one answer, one update

        api.channel_post(CHANNEL, "/unsubscribe")
        (_, _, bye) = await channel_messages(api, 3)
        assert "жазылымнан шықты" in bye.plain
        chat = await store.chats.get(CHANNEL)
        assert chat is not None and chat.mode is Mode.OFF


@pytest.mark.parametrize("how", ["removed", "stripped", "silently"])
async def test_the_bot_removed_from_a_channel_marks_it_gone_and_stops_its_deliveries(
    api: FakeBotApi, fast: Settings, how: str
) -> None:
    api.add_channel(CHANNEL, "Канал", "chan")
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [READER])
        await add_by_command(Admin(api), "@chan", "ru", "instant")
        first = await publish(store, Announcement("news", {"ru": "Первая"}))
        await channel_messages(api)
        await wait_until(lambda: worker_of(app).idle)

        if how == "removed":
            api.channel_member_change(CHANNEL, OWNER, "left")
        elif how == "stripped":
            api.channel_member_change(CHANNEL, OWNER, "administrator", can_post=False)
        else:  # Telegram's update was lost: the refused send tells the worker
            api.add_channel(CHANNEL, "Канал", "chan", bot_status="left")
        if how != "silently":
            await eventually(
                lambda: _state_is(store, ChatState.GONE), what="the channel marked gone"
            )
        second = await publish(store, Announcement("news", {"ru": "Вторая"}))
        await api.wait_for_messages(READER, 2)
        await wait_until(lambda: worker_of(app).idle)
        assert await _state_is(store, ChatState.GONE)
        assert len(api.messages_to(CHANNEL)) == 1  # nothing after the first
        rows = await statuses(store, second.update_id)
        assert rows.get(CHANNEL) in (None, "skipped")  # not queued, or skipped once refused
        assert (await statuses(store, first.update_id))[CHANNEL] == "sent"
        third = await publish(store, Announcement("news", {"ru": "Третья"}))
        assert CHANNEL not in await statuses(store, third.update_id)
        listing = await Admin(api).say_and_read("/channels")
        assert "недоступен" in listing.plain


async def _state_is(store: Store, state: ChatState) -> bool:
    chat = await store.chats.get(CHANNEL)
    return chat is not None and chat.state is state


async def test_a_channel_is_paced_under_telegrams_20_a_minute(
    database_path: Path,
) -> None:
    # Telegram's limits in the fake: more than 20 posts a minute to a channel get a 429.
    limits = RateLimits(global_per_second=30, private_per_second=None, channel_per_minute=20)
    async with FakeBotApi(token=TOKEN, limits=limits) as api:
        api.add_channel(CHANNEL, "Канал", "chan")
        settings = make_settings(api, database_path)  # the bot's own limits: 20 a minute
        async with run_bot(settings) as app:
            store = store_of(app)
            await store.channels.add(
                CHANNEL, title="Канал", username="chan", language="ru",
                mode=Mode.INSTANT, added_by=ADMIN_ID,
            )  # fmt: skip
            for text in ("Первая", "Вторая", "Третья"):
                await publish(store, Announcement("news", {"ru": text}))
            sent = await api.wait_for_messages(CHANNEL, 3, timeout=20)
        gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(sent)]
        assert min(gaps) >= 60 / 20 * HEADROOM - 0.05, gaps
        assert api.too_many_requests == 0
