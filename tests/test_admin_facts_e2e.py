"""/facts_admin end to end: adding a fact, changing its text, topic and source, retiring and
restoring it; /facts follows at once, and a restart's seeds keep the admin's version."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.admin_helpers import Admin, edited, fast_settings
from tests.delivery_helpers import run_bot, store_of
from tests.fakebotapi import FakeBotApi

SEED_RU = "Официальное начало переговоров между ЕС и Казахстаном"


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return fast_settings(api, database_path)


async def all_facts(api: FakeBotApi, user: int, language: str = "ru") -> str:
    """Every /facts page's text, for a reader."""
    page = await api.reply_to(user, "/facts", language_code=language)
    text = [page.plain]
    while any(d.startswith("facts:") for d in page.callback_data):
        following = [d for d in page.callback_data if d.startswith("facts:")][-1]
        if int(following.split(":")[1]) <= len(text):
            break
        since = len(api.edits_to(user))
        api.press_button(user, page, following, language_code=language)
        page = (await api.wait_for_edits(user, since=since))[0]
        text.append(page.plain)
    return "\n".join(text)


async def test_add_a_fact_in_two_languages(api: FakeBotApi, fast: Settings) -> None:
    async with run_bot(fast) as app:
        admin = Admin(api)
        listing = await admin.say("/facts_admin")
        assert "Факты" in listing.plain and "убрано 0" in listing.plain
        topic = await admin.tap(listing, "adm:f.new")
        assert "К какой теме" in topic.plain
        source = await admin.tap(topic, "adm:f.ntopic.", ".travel")
        assert "Какая статья" in source.plain
        ask_kk = await admin.tap(source, "adm:f.nsource.")
        assert "на казахском" in ask_kk.plain
        ask_ru = await admin.say("Визалық алым 35 еуро болады.")
        assert "на русском" in ask_ru.plain
        ask_en = await admin.say("Визовый сбор составит 35 евро.")
        assert "на английском" in ask_en.plain
        card = await admin.tap(ask_en, "adm:f.nskip.")
        assert "Визовый сбор составит 35 евро." in card.plain and "English: —" in card.plain
        assert "Kazinform" in card.plain
        facts = await all_facts(api, 1201)
        assert "Визовый сбор составит 35 евро." in facts
        # English readers get the Russian text, marked as such.
        assert "Визовый сбор составит 35 евро. (RU)" in await all_facts(api, 1202, "en")
        store = store_of(app)
        assert (await store.audit.recent(1))[0].action == "fact.added"


async def test_edit_retire_restore_and_seeds_keep_the_admins_version(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        admin = Admin(api)
        listing = await admin.say("/facts_admin")
        card = await edited(admin, listing, "adm:f.open.")
        assert "talks-launch" in card.plain and SEED_RU in card.plain
        ask = await admin.tap(card, "adm:f.text.", ".ru")
        assert "на русском" in ask.plain
        too_long = await admin.say_and_read("х" * 800)
        assert "700" in too_long.plain
        card = await admin.say("Переговоры официально начались 2 декабря 2025 года в Брюсселе.")
        assert "Переговоры официально начались" in card.plain
        topics = await edited(admin, card, "adm:f.topic.")
        assert "✓ 🤝 Переговоры" in topics.button_texts
        card = await edited(admin, topics, "adm:f.settopic.", ".travel")
        assert "Что изменится для путешественников" in card.plain
        facts = await all_facts(api, 1203)
        assert "Переговоры официально начались" in facts and SEED_RU not in facts

        card = await edited(admin, card, "adm:f.retire.")
        assert "убран из /facts" in card.plain
        assert "Переговоры официально начались" not in await all_facts(api, 1203)
        card = await edited(admin, card, "adm:f.restore.")
        assert "показывается в /facts" in card.plain
        actions = [e.action for e in await store_of(app).audit.recent(4)]
        assert actions == ["fact.restored", "fact.retired", "fact.edited", "fact.edited"]

    async with run_bot(fast):  # the seeds are loaded again at start
        facts = await all_facts(api, 1203)
        assert "Переговоры официально начались" in facts and SEED_RU not in facts
