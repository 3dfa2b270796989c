"""/feeds through the fake Bot API, with the real bot polling a feed server from its JobQueue."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.app import VisatalksApp
from storage.feeds import iso
from tests.conftest import ADMIN_ID, StartBot, make_settings
from tests.delivery_helpers import store_of
from tests.fakebotapi import FakeBotApi
from tests.feedserver import FeedServer

USER = 1002


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        running.fixture("/ru.xml", "rss2_ru.xml")
        running.fixture("/kk.rdf", "rss1_kk.rdf", content_type="application/rdf+xml")
        running.fixture("/broken.xml", "malformed.xml")
        yield running


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def checked(app: VisatalksApp, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        assert app.bot_data.store is not None
        feeds = await app.bot_data.store.feeds.active()
        return sum(f.last_checked_at is not None for f in feeds) >= count

    return check


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("ru", "только для редакторов"),
        ("kk", "тек боттың редакторларына"),
        ("en", "for the bot's editors"),
    ],
)
async def test_others_get_a_short_refusal_in_their_language(
    api: FakeBotApi, bot: VisatalksApp, language: str, refusal: str
) -> None:
    for command in ("/feeds", "/feeds add https://example.kz/rss", "/feeds remove x"):
        reply = await api.reply_to(USER, command, language_code=language)
        assert refusal in reply.plain
    assert bot.bot_data.store is not None
    assert await bot.bot_data.store.feeds.active() == []
    refused = await bot.bot_data.store.audit.recent(3)  # bot.admin.guard audits each attempt
    assert [(e.user_id, e.action, e.subject) for e in refused] == [(USER, "refused", "/feeds")] * 3


async def test_feeds_from_settings_are_polled_by_the_job_queue_and_shown_with_health(
    api: FakeBotApi, server: FeedServer, start_bot: StartBot, database_path: Path
) -> None:
    urls = [server.url("/ru.xml"), server.url("/broken.xml"), server.url("/gone.xml")]
    settings = make_settings(api, database_path, FEEDS=" ".join(urls), FEED_TIMEOUT_SECONDS="2")
    async with start_bot(settings) as app:
        await until(checked(app, 3))
        reply = await api.reply_to(ADMIN_ID, "/feeds", language_code="ru")
    text = reply.plain
    assert "Ленты новостей: 3 ленты" in text
    assert "Новости Казахстана (тестовая лента) · из настроек" in text
    assert "✅ Работает" in text and "сохранено: 2 · не по теме: 2" in text
    assert "повреждённый XML" in text and "сервер ответил ошибкой (404 Not Found)" in text
    assert text.count("1 ошибка подряд") == 2
    assert server.requests_to("/ru.xml")[0].headers["user-agent"].startswith("visatalks/")


async def test_admins_add_and_remove_feeds(
    api: FakeBotApi, server: FeedServer, start_bot: StartBot, database_path: Path
) -> None:
    configured = server.url("/ru.xml")
    async with start_bot(make_settings(api, database_path, FEEDS=configured)) as app:
        url = server.url("/kk.rdf")
        added = await api.reply_to(ADMIN_ID, f"/feeds add {url}", language_code="kk")
        assert "Таспа қосылды" in added.plain
        again = await api.reply_to(ADMIN_ID, f"/feeds add {url}", language_code="kk")
        assert "бұрыннан бақылауда" in again.plain
        await until(checked(app, 2))  # checked at once, not at the next heartbeat
        listing = await api.reply_to(ADMIN_ID, "/feeds", language_code="kk")
        assert "әкімші қосқан" in listing.plain and "баптаулардан" in listing.plain
        assert "Қазақ жаңалықтары (сынақ таспасы)" in listing.plain

        removed = await api.reply_to(ADMIN_ID, f"/feeds remove {url}", language_code="en")
        assert "Feed removed" in removed.plain
        kept = await api.reply_to(ADMIN_ID, f"/feeds remove {configured}", language_code="en")
        assert "FEEDS setting" in kept.plain
        missing = await api.reply_to(ADMIN_ID, f"/feeds remove {url}", language_code="en")
        assert "no such feed" in missing.plain
        # By the number /feeds shows, as well.
        await api.reply_to(ADMIN_ID, f"/feeds add {url}", language_code="en")
        (feed,) = [f for f in await store_of(app).feeds.active() if f.url == url]
        by_number = await api.reply_to(ADMIN_ID, f"/feeds remove #{feed.id}", language_code="en")
        assert f"Feed removed: {url}" in by_number.plain
        unknown = await api.reply_to(ADMIN_ID, "/feeds remove #999", language_code="en")
        assert "no such feed" in unknown.plain
        bad = await api.reply_to(ADMIN_ID, "/feeds add javascript:alert(1)", language_code="en")
        assert "not an http(s) link" in bad.plain
        usage = await api.reply_to(ADMIN_ID, "/feeds what", language_code="en")
        assert "/feeds add URL" in usage.plain
        listing = await api.reply_to(ADMIN_ID, "/feeds", language_code="en")
        assert "Feeds: 1 feed" in listing.plain


async def test_admins_are_told_once_when_a_feed_has_failed_for_a_day(
    api: FakeBotApi, server: FeedServer, start_bot: StartBot, database_path: Path
) -> None:
    url = server.url("/broken.xml")
    async with start_bot(make_settings(api, database_path, FEEDS=url)) as app:
        await until(checked(app, 1))
        store, poller = app.bot_data.store, app.bot_data.feeds
        assert store is not None and poller is not None
        now = dt.datetime.now(dt.UTC)
        for _ in range(2):
            # The streak began a day ago, and the feed is due again.
            await store.db.execute(
                "UPDATE feeds SET failing_since = ?, next_check_at = ?",
                (iso(now - dt.timedelta(hours=25)), iso(now)),
            )
            await poller.run_due()
        alert = (await api.wait_for_messages(ADMIN_ID, 1))[0]
        await asyncio.sleep(0.3)
    assert len(api.messages_to(ADMIN_ID)) == 1  # told once
    assert "Лента не читается уже сутки" in alert.plain
    assert url in alert.plain and "повреждённый XML" in alert.plain
    assert alert.parse_mode == "HTML"
