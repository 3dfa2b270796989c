"""Issue 13 end to end through the fake Bot API: questions the bot cannot answer reach the
editors in /questions, grouped; the editors' answer becomes a fact and reaches, once and in
their language, the askers who pressed "tell me"; 👎 lists a question; only admins get in."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.admin_helpers import Admin, edited, fast_settings
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import run_bot, store_of, wait_until
from tests.fakebotapi import FakeBotApi, SentMessage

KK_USER, RU_USER, THIRD_USER, STRANGER = 5101, 5102, 5103, 5104
KK_QUESTION = "Визаға биометрия тапсыру керек пе?"
RU_QUESTION = "Нужно ли сдавать биометриу для шенгена?"  # sic: a typo, other words
THIRD_QUESTION = "Надо ли сдавать биометрию на визу?"
KK_ANSWER = "Иә, 12 жастан асқан өтініш берушілер саусақ іздерін тапсырады."
RU_ANSWER = "Да, заявители старше 12 лет сдают отпечатки пальцев."


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return fast_settings(api, database_path)


async def ask_and_wait(api: FakeBotApi, user: int, text: str, language: str) -> SentMessage:
    """Ask; the reply offers "tell me"; press it; the button goes, the choice is confirmed."""
    reply = await api.reply_to(user, text, language_code=language)
    wait = [d for d in reply.callback_data if d.startswith("ask:wait.")]
    assert wait, reply.callback_data
    edits = len(api.edits_to(user))
    api.press_button(user, reply, wait[0], language_code=language)
    await api.wait_for_edits(user, since=edits)
    return reply


async def answer_group(admin: Admin) -> SentMessage:
    """/questions, Answer, a topic, kk, ru, Skip en, Editors; returns the preview."""
    listing = await admin.say("/questions")
    assert "2" in listing.plain and "kk ru" in listing.plain, listing.plain
    assert "Вопросы без ответа" in listing.plain and "(групп: 1)" in listing.plain
    topic = await admin.tap(listing, "adm:q.answer.")
    ask_kk = await admin.tap(topic, "adm:q.atopic.", ".travel")
    assert "на казахском" in ask_kk.plain
    ask_ru = await admin.say(KK_ANSWER)
    assert "на русском" in ask_ru.plain
    ask_en = await admin.say(RU_ANSWER)
    assert "на английском" in ask_en.plain
    source = await admin.tap(ask_en, "adm:q.askip.")
    preview = await admin.tap(source, "adm:q.aeditors.")
    assert KK_ANSWER in preview.plain and RU_ANSWER in preview.plain
    return preview


async def test_two_askers_one_group_answered_in_their_languages(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        await ask_and_wait(api, KK_USER, KK_QUESTION, "kk")
        await ask_and_wait(api, RU_USER, RU_QUESTION, "ru")
        admin = Admin(api)
        preview = await answer_group(admin)
        before = {u: len(api.messages_to(u)) for u in (KK_USER, RU_USER)}
        admin.press(preview, "adm:q.asave.")
        saved = (await api.wait_for_messages(ADMIN_ID, 1, since=admin.seen))[0]
        assert "Закрыто вопросов: 2" in saved.plain and "в чатов: 2" in saved.plain
        # Figures: what answering one group in two languages takes an editor.
        assert (admin.messages, admin.taps) == (3, 5)
        await wait_until(lambda: all(len(api.messages_to(u)) > before[u] for u in before))
        kk = api.messages_to(KK_USER)[before[KK_USER] :]
        ru = api.messages_to(RU_USER)[before[RU_USER] :]
        assert len(kk) == 1 and KK_ANSWER in kk[0].plain and "Редакция сіздің" in kk[0].plain
        assert len(ru) == 1 and RU_ANSWER in ru[0].plain and "Редакция ответила" in ru[0].plain
        # A third user asking afterwards gets the new fact at once.
        third = await api.reply_to(THIRD_USER, THIRD_QUESTION, language_code="ru")
        assert RU_ANSWER in third.plain, third.plain
        # /facts shows it with its source and date.
        facts = await api.reply_to(THIRD_USER, "/facts", language_code="ru")
        pages = facts.plain
        while RU_ANSWER not in pages and any(d.startswith("facts:") for d in facts.callback_data):
            edits = len(api.edits_to(THIRD_USER))
            api.press_button(
                THIRD_USER, facts, [d for d in facts.callback_data if d.startswith("facts:")][-1]
            )
            facts = (await api.wait_for_edits(THIRD_USER, since=edits))[0]
            pages += facts.plain
        assert RU_ANSWER in pages
        # The page lists its sources at the end; the fact points at its own by number.
        page = pages[pages.rindex("Ключевые факты", 0, pages.index(RU_ANSWER)) :]
        page = page[: page.find("Ключевые факты", 1)] if "Ключевые факты" in page[1:] else page
        after = page[page.index(RU_ANSWER) + len(RU_ANSWER) :]
        number = after.split("]", 1)[0].strip().lstrip("[")
        source = next(line for line in page.splitlines() if line.startswith(f"[{number}] "))
        # The editors as the source, in the reader's language (the answer was written in kk first).
        assert "редакция бота" in source and " г." in source, source
        # Nothing more reached the askers; the audit has the editors' action.
        await api.wait_for_messages(KK_USER, 0)
        assert len(api.messages_to(KK_USER)) == before[KK_USER] + 1
        store = store_of(app)
        assert (await store.audit.recent(1))[0].action == "question.answered"
        assert (await admin.say_and_read("/questions")).plain.startswith("Открытых вопросов нет")


async def test_thumbs_down_lists_the_question_and_dismiss_closes_it(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast):
        reply = await api.reply_to(RU_USER, "когда начались переговоры", language_code="ru")
        down = [d for d in reply.callback_data if d.startswith("ask:down.")]
        assert down and not [d for d in reply.callback_data if d.startswith("ask:wait.")]
        admin = Admin(api)
        assert "Открытых вопросов нет" in (await admin.say_and_read("/questions")).plain
        edits = len(api.edits_to(RU_USER))
        api.press_button(RU_USER, reply, down[0])
        shown = (await api.wait_for_edits(RU_USER, since=edits))[0]
        assert shown.button_texts == ["👎 ✓"]
        listing = await admin.say("/questions")
        assert "когда начались переговоры" in listing.plain
        after = await edited(admin, listing, "adm:q.dismiss.")
        assert "Открытых вопросов нет" in after.plain


async def test_strangers_cannot_reach_questions_or_its_buttons(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        await ask_and_wait(api, KK_USER, KK_QUESTION, "kk")
        store = store_of(app)
        (question,) = await store.questions.open()
        stranger = Admin(api, STRANGER)
        refused = await stranger.say_and_read("/questions")
        assert refused.plain == "Эта команда только для редакторов бота."
        own = await api.reply_to(STRANGER, "привет", language_code="ru")
        for forged in (
            f"adm:q.dismiss.{question.id}",
            f"adm:q.linkto.{question.id}.1",
            f"adm:q.answer.{question.id}",
            "adm:q.asave.0000",
        ):
            api.press_button(STRANGER, own, forged, check=False)
        await wait_until(lambda: len(api.calls_to("answerCallbackQuery")) >= 4)
        assert [q.id for q in await store.questions.open()] == [question.id]
        refusals = [e for e in await store.audit.recent(10) if e.action == "refused"]
        assert len(refusals) == 5
