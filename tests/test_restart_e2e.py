"""What must survive a restart: the chat's language choice, and seeds loaded exactly once."""

from __future__ import annotations

from bot.config import Settings
from storage import open_store
from tests.conftest import StartBot
from tests.fakebotapi import FakeBotApi


async def test_language_choice_survives_restart_and_seeds_load_once(
    api: FakeBotApi, start_bot: StartBot, settings: Settings
) -> None:
    async with start_bot():
        keyboard = await api.reply_to(2001, "/lang", language_code="ru")
        api.press_button(2001, keyboard, "lang:en")
        await api.wait_for_edits(2001)
    async with start_bot():
        reply = await api.reply_to(2001, "/status", language_code="ru")
        assert "Start of negotiations" in reply.plain
    store = await open_store(settings.database_path)
    try:
        assert await store.articles.count() == 2
        assert await store.milestones.count() == 1
        facts = await store.db.fetchval("SELECT count(*) FROM facts")
        texts = await store.db.fetchval("SELECT count(*) FROM fact_texts")
        assert texts == 3 * facts
    finally:
        await store.close()
