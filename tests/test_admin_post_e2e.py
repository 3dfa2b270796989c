"""/post end to end through the fake Bot API: an admin writes, previews and sends; subscribers
get it in their language; /status moves at once; formatting survives and nothing breaks it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.config import Settings
from storage.models import Mode
from tests.admin_helpers import Admin, fast_settings, send, start_milestone
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import add_subscribers, run_bot, store_of, wait_until, worker_of
from tests.fakebotapi import FakeBotApi

KK_TEXT = "Астанада келіссөздердің бірінші раунды өтті."
RU_TEXT = "В Астане прошёл первый раунд переговоров."


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return fast_settings(api, database_path)


async def test_milestone_in_kk_and_ru_reaches_every_language_and_moves_status(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        store = store_of(app)
        await add_subscribers(store, [501], language="kk")
        await add_subscribers(store, [502], language="ru")
        await add_subscribers(store, [503], language="en")
        await add_subscribers(store, [504], language="ru", mode=Mode.DAILY, hour=9)
        admin = Admin(api)

        kind = await admin.say("/post")
        assert "Что публикуем?" in kind.plain
        stage = await admin.tap(kind, "adm:p.kind.", ".milestone")
        assert "Какой этап" in stage.plain and "Сейчас: Начало переговоров" in stage.plain
        date = await admin.tap(stage, "adm:p.stage.", ".3")
        # The pressed question keeps its text and shows the answer, without buttons.
        answered = api.message(ADMIN_ID, stage.message_id) or {}
        assert answered["text"].endswith("→ 3 · Раунды переговоров")
        assert not answered.get("reply_markup")
        assert "Когда это произошло?" in date.plain
        place = await admin.tap(date, "adm:p.date.", ".today")
        assert "Где?" in place.plain
        assert "Брюссель" in place.button_texts  # the seed milestone's place is offered
        kk = await admin.say("Астана / Астана / Astana")
        assert "казахском" in kk.plain
        ru = await admin.say(KK_TEXT, entities=[{"type": "bold", "offset": 0, "length": 8}])
        assert "русском" in ru.plain
        en = await admin.say(RU_TEXT)
        assert "английском" in en.plain
        link = await admin.tap(en, "adm:p.skip.")
        assert "Ссылка на источник?" in link.plain
        controls = await admin.say("https://www.gov.kz/memleket/entities/mfa/press")
        assert "Так публикацию увидят подписчики" in controls.plain
        assert "Получателей: 4 — 3 сразу, 1 в дайджестах." in controls.plain
        assert "English" in controls.plain  # the missing language is named

        previews = api.messages_to(ADMIN_ID)[-4:-1]
        kk_preview, ru_preview, en_preview = previews
        assert KK_TEXT in kk_preview.plain and "Келіссөздер раундтары" in kk_preview.plain
        assert RU_TEXT in ru_preview.plain and "Раунды переговоров" in ru_preview.plain
        assert en_preview.plain.startswith("This update is only available in Russian.")

        since_edits = len(api.edits_to(ADMIN_ID))
        admin.press(controls, "adm:p.send.")
        done = (await api.wait_for_edits(ADMIN_ID, since=since_edits))[0]
        assert "Отправлено" in done.plain and "Получателей: 4" in done.plain

        got = {chat: (await api.wait_for_messages(chat))[0] for chat in (501, 502, 503)}
        # Subscribers get exactly what the admin previewed, in their language.
        assert got[501].text == kk_preview.text
        assert got[502].text == ru_preview.text
        assert got[503].text == en_preview.text
        assert "<b>Астанада</b>" in got[501].text  # the admin's bold is kept
        assert str(dt.date.today().year) in got[502].plain  # the milestone's date
        assert 'href="https://www.gov.kz/memleket/entities/mfa/press"' in got[502].text
        assert "Источник: gov.kz" in got[502].plain
        assert api.messages_to(504) == []  # the digest subscriber waits for the digest

        status = await api.reply_to(502, "/status")
        assert "Раунды переговоров" in status.plain
        assert RU_TEXT in status.plain and "Астана" in status.plain
        timeline = await api.reply_to(503, "/timeline", language_code="en")
        # No English text: the English frame and the place typed for English around the
        # Russian text.
        assert "Negotiation rounds" in timeline.plain and RU_TEXT in timeline.plain
        assert "Astana" in timeline.plain
        status = await api.reply_to(503, "/status", language_code="en")
        assert "Astana" in status.plain and RU_TEXT in status.plain
        assert "Астана" not in status.plain.replace(RU_TEXT, "")
        await wait_until(lambda: worker_of(app).idle)
    assert not api.server_errors


async def test_what_a_full_post_takes_an_admin(api: FakeBotApi, fast: Settings) -> None:
    """A milestone in all three languages with a source link: 5 messages and 5 taps."""
    async with run_bot(fast) as app:
        await add_subscribers(store_of(app), [505], language="en")
        admin = Admin(api)
        question = await start_milestone(admin, 3)
        question = await admin.tap(question, "adm:p.date.", ".today")
        question = await admin.tap(question, "adm:p.place.", ".0")  # Brussels, offered
        for text in ("Брюссельде раунд өтті.", "В Брюсселе прошёл раунд.", "A round in Brussels."):
            question = await admin.say(text)
        controls = await admin.say("https://eeas.europa.eu/news")
        number = await send(admin, controls)
        assert (admin.messages, admin.taps) == (5, 5)
        got = (await api.wait_for_messages(505))[0]
        assert got.plain.startswith("🏁 Negotiation rounds")
        assert "Brussels\n\nA round in Brussels.\n\nSource: eeas.europa.eu" in got.plain
        post = await store_of(app).posts.get(number)
        assert post is not None and post.texts["en"].place == "Brussels"
