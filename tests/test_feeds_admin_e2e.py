"""Feeds through the fake Bot API: one message per polling round to each subscriber, /feeds'
kept-out list with its "let in" button (admins only, audited), stable feed ids."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.feeds.admin import let_in_data
from tests.conftest import ADMIN_ID, StartBot, make_settings
from tests.delivery_helpers import add_subscribers, wait_until
from tests.fakebotapi import FakeBotApi
from tests.feedserver import FeedServer

READER = 5001
INTRUDER = 4242


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        running.fixture("/ru.xml", "rss2_ru.xml")
        running.fixture("/kk.rdf", "rss1_kk.rdf", content_type="application/rdf+xml")
        running.fixture("/near.xml", "rss2_near_miss.xml")
        yield running


def _answered(api: FakeBotApi, text: str) -> int:
    """How many button presses were answered with a note containing `text`."""
    return sum(1 for a in api.answered_callbacks if a.text and text in a.text)


async def test_a_subscriber_gets_one_message_per_round_with_every_feeds_news(
    api: FakeBotApi, server: FeedServer, start_bot: StartBot, database_path: Path
) -> None:
    async with start_bot(make_settings(api, database_path)) as app:
        store = app.bot_data.store
        poller = app.bot_data.feeds
        assert store is not None and poller is not None
        await add_subscribers(store, [READER])
        now = dt.datetime.now(dt.UTC)
        for path in ("/ru.xml", "/kk.rdf", "/near.xml"):
            await store.feeds.add(server.url(path), ADMIN_ID, now)
        results = await poller.run_due()
        assert sum(r.new for r in results) == 4  # 2 + 1 + 1 from three feeds
        (message,) = await api.wait_for_messages(READER)
        await asyncio.sleep(0.5)  # nothing else follows
    assert len(api.messages_to(READER)) == 1
    assert "4 новые публикации" in message.plain
    for title in ("Казахстан и Евросоюз начали переговоры", "Реадмиссия: что изменится",
                  "Қазақстан мен Еуропалық одақ", "Kazakhstan and the EU agree"):  # fmt: skip
        assert title in message.plain


async def test_admins_see_kept_out_items_and_let_one_in_with_a_tap(
    api: FakeBotApi, server: FeedServer, start_bot: StartBot, database_path: Path
) -> None:
    async with start_bot(make_settings(api, database_path)) as app:
        store = app.bot_data.store
        poller = app.bot_data.feeds
        assert store is not None and poller is not None
        await add_subscribers(store, [READER], language="en")
        await store.feeds.add(server.url("/near.xml"), ADMIN_ID, dt.datetime.now(dt.UTC))
        await poller.run_due()
        await api.wait_for_messages(READER)  # the relevant item of the round
        (feed,) = await store.feeds.active()
        (kept,) = await store.feeds.kept_out(10)

        listing = await api.reply_to(ADMIN_ID, "/feeds", language_code="en")
        text = listing.plain
        assert f"#{feed.id} Региональные новости (тестовая лента)" in text
        assert "Kept out of the last rounds" in text
        assert "1. ЕС и Узбекистан начали переговоры" in text
        assert f"feed #{feed.id} · another country's visa news" in text
        assert "visa-elsewhere" in text
        data = let_in_data(kept.id)
        assert listing.callback_data == [data]

        # Someone else pressing it (a forged update) is refused and audited; nothing moves.
        api.press_button(INTRUDER, listing, data, check=False, language_code="en")
        await wait_until(lambda: _answered(api, "for the bot's editors") > 0, what="refusal")
        assert [e.action for e in await store.audit.recent(1)] == ["refused"]
        # Forged data from an admin: an id that was never kept out, or no number at all.
        for forged in ("adm:k.in.99999", "adm:k.in.x"):
            api.press_button(ADMIN_ID, listing, forged, check=False, language_code="en")
        await wait_until(lambda: _answered(api, "no longer waiting") == 2, what="two notes")
        assert len(api.messages_to(READER)) == 1

        api.press_button(ADMIN_ID, listing, data, language_code="en")
        await wait_until(lambda: _answered(api, "Let in and published as news") > 0, what="let in")
        (news,) = await api.wait_for_messages(READER, since=1)
        assert "ЕС и Узбекистан начали переговоры" in news.plain
        entry = (await store.audit.recent(1))[0]
        assert (entry.user_id, entry.action) == (ADMIN_ID, "feed.let_in")
        assert entry.subject.startswith(f"#{feed.id} ЕС и Узбекистан")
        assert entry.detail == "rule=visa-elsewhere"
        refreshed = api.message(ADMIN_ID, listing.message_id)
        assert refreshed is not None and "Nothing close to the talks" in refreshed["text"]

        # A double tap on the old button publishes nothing more.
        api.press_button(ADMIN_ID, listing, data, check=False, language_code="en")
        await wait_until(lambda: _answered(api, "no longer waiting") == 3, what="a third note")
        await asyncio.sleep(0.3)
        assert len(api.messages_to(READER)) == 2
        news_list = await api.reply_to(READER, "/news", language_code="en")
        assert "ЕС и Узбекистан" in news_list.plain


async def test_feed_ids_in_feeds_stay_when_a_feed_is_removed(
    api: FakeBotApi, server: FeedServer, start_bot: StartBot, database_path: Path
) -> None:
    async with start_bot(make_settings(api, database_path)):
        urls = [server.url(p) for p in ("/ru.xml", "/kk.rdf", "/near.xml")]
        for url in urls:
            await api.reply_to(ADMIN_ID, f"/feeds add {url}", language_code="en")
        await api.reply_to(ADMIN_ID, f"/feeds remove {urls[1]}", language_code="en")
        listing = await api.reply_to(ADMIN_ID, "/feeds", language_code="en")
    text = listing.plain
    assert "Feeds: 2 feeds" in text
    assert "#1 " in text and "#3 " in text and "#2 " not in text
