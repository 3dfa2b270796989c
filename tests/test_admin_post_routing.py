"""/post's buttons routed by PTB's own handlers: each step of the conversation takes the
buttons of its own question, one CallbackQueryHandler a verb; a button of another step, an
old draft's or a forged one gets the usual "no longer active" note and changes nothing; a
stranger's press meets the refusal and the audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.ext import ConversationHandler

from bot.admin.flow import Step
from bot.admin.screens import POST
from bot.config import AdminOptions, Settings
from handlers import admin
from handlers.admin_routing import stale_button
from tests.admin_helpers import (
    Admin,
    conversation_named,
    fast_settings,
    press_update,
    takers_by_step,
    takes,
)
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import eventually, run_bot, store_of, wait_until
from tests.fakebotapi import FakeBotApi

STRANGER = 4242
# Which question shows each button: the steps whose handlers take the verb.
SHOWN_AT = {
    "resume": {Step.RESUME},
    "restart": {Step.RESUME},
    "kind": {Step.KIND},
    "stage": {Step.STAGE},
    "date": {Step.DATE},
    "place": {Step.PLACE},
    "skip": {Step.TEXT},
    "remove": {Step.TEXT},
    "nolink": {Step.LINK},
    "send": {Step.PREVIEW},
    "change": {Step.PREVIEW},
    "field": {Step.FIELD},
    "back": set(Step) - {Step.PREVIEW},  # a field chosen from the preview goes back to it
    "cancel": set(Step),
}
STALE = "Эта кнопка больше не действует."


def test_each_post_verb_has_its_own_handler_at_the_steps_that_show_its_button() -> None:
    handlers = admin.handlers(AdminOptions(), {ADMIN_ID})
    conversation = conversation_named(handlers, "admin-post")
    assert set(SHOWN_AT) == set(POST.verbs)
    owners: dict[str, set[int]] = {}
    for verb in POST.verbs:
        data = POST.data(verb, "ab12", "news")
        takers = takers_by_step(conversation, Step, data, POST.pattern(verb), STRANGER)
        owners[verb] = set(takers.values())
        assert set(takers) == SHOWN_AT[verb], verb
    # One handler a verb (Back's is the same one at every step that shows it).
    assert all(len(found) == 1 for found in owners.values()), owners
    assert len(set().union(*owners.values())) == len(POST.verbs)


def test_a_forged_post_verb_is_left_to_the_stale_note_and_strangers_to_the_refusal() -> None:
    handlers = admin.handlers(AdminOptions(), {ADMIN_ID})
    states = conversation_named(handlers, "admin-post").states
    plain = [h for h in handlers if not isinstance(h, ConversationHandler)]
    refuse = plain[-1].callback  # the refusal is registered last
    for data in ("adm:p.bogus.ab12", "adm:p.sendx.ab12", "adm:p", "adm:p..kind.ab12"):
        assert not any(
            takes(h, press_update(ADMIN_ID, data)) for step in Step for h in states[step]
        )
        first = next(h for h in plain if takes(h, press_update(ADMIN_ID, data)))
        assert first.callback is stale_button, data
    stranger = next(
        h for h in plain if takes(h, press_update(STRANGER, POST.data("kind", "ab", "x")))
    )
    assert stranger.callback == refuse


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return fast_settings(api, database_path)


async def test_buttons_of_another_step_or_draft_and_forged_ones_get_the_usual_note(
    api: FakeBotApi, fast: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with run_bot(fast) as app:
        admin_ = Admin(api)
        kind = await admin_.say("/post")
        news = next(d for d in kind.callback_data if d.endswith(".news"))
        draft_id = POST.parse(news).arg(0)  # type: ignore[union-attr]
        pressed = [
            f"adm:p.send.{draft_id}",  # the preview's, not this question's
            f"adm:p.stage.{draft_id}.3",  # a later question's
            f"adm:p.back.{draft_id}",  # nothing chosen from a preview to go back to
            f"adm:p.kind.{draft_id}.rocket",  # this question's verb, a forged choice
            "adm:p.kind.ffff.news",  # another (older) draft's
            f"adm:p.bogus.{draft_id}",  # no such verb
            f"adm:p.kind.{draft_id}.news; DROP",  # not data the bot ever makes
        ]
        for data in pressed:
            api.press_button(ADMIN_ID, kind, data, check=False)

        def answers() -> list[str | None]:
            return [a.text for a in api.answered_callbacks if a.data in pressed]

        await wait_until(lambda: len(answers()) == len(pressed), what="every press answered")
        assert answers() == [STALE] * len(pressed)
        # Nothing changed: the same question takes its own button.
        ask_kk = await admin_.tap(kind, "adm:p.kind.", ".news")
        assert "казахском" in ask_kk.plain

        # A stranger pressing the draft's button meets the refusal, and the audit names /post.
        skip = next(d for d in ask_kk.callback_data if d.startswith("adm:p.skip."))
        api.press_button(STRANGER, ask_kk, skip, check=False)

        async def refused() -> bool:
            return any(e.action == "refused" for e in await store_of(app).audit.recent(5))

        await eventually(refused, what="the stranger's attempt in the audit")
        entry = (await store_of(app).audit.recent(1))[0]
        assert (entry.user_id, entry.action, entry.subject) == (STRANGER, "refused", "/post")
        answer = next(a for a in api.answered_callbacks if a.user_id == STRANGER)
        assert answer.text == "Эта команда только для редакторов бота."
        # The admin's draft did not move: Skip still asks the next language.
        ask_ru = await admin_.tap(ask_kk, "adm:p.skip.")
        assert "русском" in ask_ru.plain
    assert not api.server_errors
    assert "update failed" not in caplog.text
