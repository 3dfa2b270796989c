"""The buttons of a new fact (/facts_admin) and of an answer (/questions) routed by PTB's own
handlers: each step of the draft's conversation takes its own question's buttons, one
CallbackQueryHandler a verb, and Cancel at every step; another step's button, an old draft's
or a forged one gets the usual "no longer active" note and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.admin.facts import FACTS
from bot.admin.flow import FactStep
from bot.admin.questions import QUESTIONS, AnswerStep
from bot.callbacks import Buttons
from bot.config import AdminOptions, Settings
from bot.i18n import texts_for
from handlers import admin
from tests.admin_helpers import (
    Admin,
    conversation_named,
    edited,
    fast_settings,
    takers_by_step,
)
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import run_bot, store_of, wait_until
from tests.fakebotapi import FakeBotApi, SentMessage
from tests.test_questions_editors_e2e import KK_QUESTION, KK_USER, ask_and_wait

STRANGER = 4242
RU = texts_for("ru")
STALE = RU.plain("admin.stale")
# Each draft's conversation: its buttons, steps, and the steps whose handlers take each verb.
DRAFTS: dict[str, tuple[Buttons, set[int], dict[str, set[int]]]] = {
    "admin-facts": (
        FACTS,
        set(FactStep),
        {
            "ntopic": {FactStep.TOPIC},
            "nsource": {FactStep.SOURCE},
            "nskip": {FactStep.TEXT},
            "ncancel": set(FactStep),
        },
    ),
    "admin-questions": (
        QUESTIONS,
        set(AnswerStep),
        {
            "atopic": {AnswerStep.TOPIC},
            "askip": {AnswerStep.TEXT},
            "aeditors": {AnswerStep.SOURCE},
            "asave": {AnswerStep.PREVIEW},
            "acancel": set(AnswerStep),
        },
    ),
}


@pytest.mark.parametrize("name", DRAFTS)
def test_each_step_takes_only_its_own_buttons_one_handler_a_verb(name: str) -> None:
    buttons, steps, shown_at = DRAFTS[name]
    conversation = conversation_named(admin.handlers(AdminOptions(), {ADMIN_ID}), name)
    owners: dict[str, set[int]] = {}
    for verb in buttons.verbs:
        data = buttons.data(verb, "ab12", "travel")
        takers = takers_by_step(conversation, steps, data, buttons.pattern(verb), STRANGER)
        if takers:
            owners[verb] = set(takers.values())
        # The area's other verbs (the list's, a card's) are no step's.
        assert set(takers) == shown_at.get(verb, set()), verb
    assert all(len(found) == 1 for found in owners.values()), owners  # Cancel's: one for all
    assert len(set().union(*owners.values())) == len(shown_at)


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return fast_settings(api, database_path)


async def _all_stale(api: FakeBotApi, message: SentMessage, pressed: list[str]) -> None:
    """Each press on `message` gets the "no longer active" note; the message stays as it is."""
    edits = len(api.edits_to(ADMIN_ID))
    answered = len(api.answered_callbacks)
    for data in pressed:
        api.press_button(ADMIN_ID, message, data, check=False)

    def answers() -> list[tuple[str | None, str | None]]:
        return [(a.data, a.text) for a in api.answered_callbacks[answered:]]

    await wait_until(lambda: len(answers()) == len(pressed), what="every press answered")
    assert sorted(answers()) == sorted((data, STALE) for data in pressed)
    assert len(api.edits_to(ADMIN_ID)) == edits


def _draft_id(message: SentMessage, buttons: Buttons, verb: str) -> str:
    data = next(d for d in message.callback_data if buttons.parse(d) and d.split(".")[1] == verb)
    press = buttons.parse(data)
    assert press is not None
    return press.arg(0)


async def test_a_new_fact_takes_each_button_only_at_its_own_question(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        facts_before = await store_of(app).facts.count()
        admin_ = Admin(api)
        topic = await admin_.tap(await admin_.say("/facts_admin"), "adm:f.new")
        draft = _draft_id(topic, FACTS, "ntopic")
        await _all_stale(
            api,
            topic,
            [
                f"adm:f.nsource.{draft}.1",  # a later question's
                f"adm:f.nskip.{draft}",
                f"adm:f.ntopic.{draft}.rocket",  # this question's verb, a forged topic
                "adm:f.ntopic.ffff.travel",  # another (older) draft's
            ],
        )
        source = await admin_.tap(topic, "adm:f.ntopic.", ".travel")
        assert "Какая статья" in source.plain
        # The topic's button again, at the source question: no longer active (before each
        # verb had its own step it changed the topic and asked for the source again).
        earlier = f"adm:f.ntopic.{draft}.rights"
        await _all_stale(api, source, [earlier, f"adm:f.nskip.{draft}", f"adm:f.nsource.{draft}.x"])
        ask_kk = await admin_.tap(source, "adm:f.nsource.")
        assert "на казахском" in ask_kk.plain
        await _all_stale(api, ask_kk, [earlier, f"adm:f.nsource.{draft}.1"])
        ask_ru = await admin_.tap(ask_kk, "adm:f.nskip.")
        assert "на русском" in ask_ru.plain
        cancelled = await edited(admin_, ask_ru, "adm:f.ncancel.")
        assert cancelled.plain == RU.plain("admin.facts.cancelled")
        await _all_stale(api, ask_ru, [f"adm:f.ncancel.{draft}", f"adm:f.nskip.{draft}"])
        assert await store_of(app).facts.count() == facts_before


async def test_a_new_fact_is_cancelled_at_every_step(api: FakeBotApi, fast: Settings) -> None:
    async with run_bot(fast) as app:
        facts_before = await store_of(app).facts.count()
        admin_ = Admin(api)
        for step in FactStep:
            question = await admin_.tap(await admin_.say("/facts_admin"), "adm:f.new")
            draft = _draft_id(question, FACTS, "ntopic")
            if step is not FactStep.TOPIC:
                question = await admin_.tap(question, "adm:f.ntopic.", ".travel")
            if step is FactStep.TEXT:
                question = await admin_.tap(question, "adm:f.nsource.")
            # Only the text question shows Cancel; /cancel and the button work at every step.
            edits = len(api.edits_to(ADMIN_ID))
            api.press_button(ADMIN_ID, question, f"adm:f.ncancel.{draft}", check=False)
            cancelled = (await api.wait_for_edits(ADMIN_ID, since=edits))[0]
            assert cancelled.plain == RU.plain("admin.facts.cancelled"), step
        assert await store_of(app).facts.count() == facts_before


async def _answer_question(admin_: Admin) -> SentMessage:
    """/questions, Answer: the topic question of a new answer."""
    return await admin_.tap(await admin_.say("/questions"), "adm:q.answer.")


async def test_an_answer_takes_each_button_only_at_its_own_question(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        await ask_and_wait(api, KK_USER, KK_QUESTION, "kk")
        admin_ = Admin(api)
        topic = await _answer_question(admin_)
        draft = _draft_id(topic, QUESTIONS, "atopic")
        skip, editors, save = (f"adm:q.{verb}.{draft}" for verb in ("askip", "aeditors", "asave"))
        earlier = f"adm:q.atopic.{draft}.travel"
        forged = [f"adm:q.atopic.{draft}.rocket", "adm:q.atopic.ffff.travel"]
        await _all_stale(api, topic, [skip, editors, save, *forged])
        ask_kk = await admin_.tap(topic, "adm:q.atopic.", ".travel")
        await _all_stale(api, ask_kk, [earlier, editors, save])
        ask_ru = await admin_.tap(ask_kk, "adm:q.askip.")
        ask_en = await admin_.tap(ask_ru, "adm:q.askip.")
        await _all_stale(api, ask_en, [skip])  # the last language, with none written
        source = await admin_.say("Yes, applicants over 12 give fingerprints.")
        await _all_stale(api, source, [earlier, skip, save])
        preview = await admin_.tap(source, "adm:q.aeditors.")
        await _all_stale(api, preview, [earlier, skip, editors])
        cancelled = await edited(admin_, preview, "adm:q.acancel.")
        assert cancelled.plain == RU.plain("questions.cancelled")
        await _all_stale(api, preview, [save])
        assert len(await store_of(app).questions.open()) == 1


async def test_an_answer_is_cancelled_at_every_step(api: FakeBotApi, fast: Settings) -> None:
    async with run_bot(fast) as app:
        await ask_and_wait(api, KK_USER, KK_QUESTION, "kk")
        admin_ = Admin(api)
        for step in AnswerStep:
            question = await _answer_question(admin_)
            if step is not AnswerStep.TOPIC:
                question = await admin_.tap(question, "adm:q.atopic.", ".travel")
            if step in (AnswerStep.SOURCE, AnswerStep.PREVIEW):
                question = await admin_.say("Иә, саусақ іздерін тапсырады.")
                question = await admin_.tap(question, "adm:q.askip.")
                question = await admin_.tap(question, "adm:q.askip.")
            if step is AnswerStep.PREVIEW:
                question = await admin_.tap(question, "adm:q.aeditors.")
            cancelled = await edited(admin_, question, "adm:q.acancel.")
            assert cancelled.plain == RU.plain("questions.cancelled"), step
        assert len(await store_of(app).questions.open()) == 1
