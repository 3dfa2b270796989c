"""/questions: the editors' list of questions the bot could not answer; Answer, Link to a
fact, Dismiss per group. Admins only, buttons included. The work is in bot.admin.questions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    BaseHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.admin import flow, guard
from bot.admin import questions as service
from bot.admin.questions import AnswerDraft, AnswerStep, Outcome
from bot.callbacks import Press
from bot.config import AdminOptions
from bot.context import BotContext
from bot.replies import replace, reply
from handlers.admin_drafts import DraftButtons, answered
from handlers.admin_routing import Callback, Routes, stale_button

END = ConversationHandler.END
# The answer's buttons: its topic, Skip (a language), Editors (the source), Save and Cancel.
DRAFT = DraftButtons(service.QUESTIONS, service.SLOT, "questions.cancelled")


async def questions(update: Update, context: BotContext) -> None:
    """The open questions in groups, most asked first, with Answer / Link / Dismiss."""
    await reply(update, context, *await service.listing(context.store, context.texts))


def _press(update: Update) -> tuple[Press | None, int | None]:
    """The press and the question group it names (None for a stale or forged button)."""
    query = update.callback_query
    assert query is not None
    press = service.QUESTIONS.parse(query.data)
    return press, press.number() if press else None


async def back_to_list(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await replace(update, context, *await service.listing(context.store, context.texts))


async def link_choices(update: Update, context: BotContext) -> None:
    """The facts to link a group to, a page at a time."""
    query = update.callback_query
    assert query is not None
    press, key = _press(update)
    if press is None or key is None:
        await stale_button(update, context)
        return
    await query.answer()
    screen = await service.link_choices(context.store, context.texts, key, press.number(1) or 1)
    await replace(update, context, *screen)


async def _done(update: Update, context: BotContext, outcome: Outcome | None, key: str) -> None:
    """A group linked or dismissed (bot.admin.questions audits it): a note, the list anew."""
    query = update.callback_query
    assert query is not None
    if outcome is None:
        await stale_button(update, context)
        return
    texts = context.texts
    await query.answer(texts.plain(key, count=outcome.questions, told=outcome.told))
    await replace(update, context, *await service.listing(context.store, texts))


async def linked(update: Update, context: BotContext) -> None:
    """Link: the group is answered by that fact; whoever asked to be told is told."""
    press, key = _press(update)
    fact_id = press.number(1) if press else None
    outcome = None
    if key is not None and fact_id is not None:
        outcome = await service.link(context.store, key, fact_id, guard.admin_id(update))
    await _done(update, context, outcome, "questions.linked")


async def dismissed(update: Update, context: BotContext) -> None:
    """Dismiss: the group leaves the list."""
    _, key = _press(update)
    outcome = None
    if key is not None:
        outcome = await service.dismiss(context.store, key, guard.admin_id(update))
    await _done(update, context, outcome, "questions.dismissed")


async def start_answer(update: Update, context: BotContext) -> int:
    """Answer: shows the group's phrasings and asks the answer's topic."""
    query = update.callback_query
    assert query is not None
    press = service.QUESTIONS.parse(query.data)
    key = press.number() if press else None
    found = await service.find(context.store, key) if key is not None else None
    if found is None:
        await stale_button(update, context)
        return END
    await query.answer()
    draft = service.keep(context.user_data, AnswerDraft(key=found.key))
    await reply(update, context, *service.question(context.texts, draft, found))
    return AnswerStep.TOPIC


async def save(update: Update, context: BotContext) -> int:
    """Save, under the preview: the answer is kept (bot.admin.questions audits it) and whoever
    asked to be told is told."""
    found = await DRAFT.pressed(update, context)
    if isinstance(found, int):
        return found
    draft, texts = found[0], context.texts
    if draft.step is not AnswerStep.PREVIEW:
        await stale_button(update, context)
        return draft.step
    await answered(update, context)
    outcome = await service.save_answer(context.store, draft, guard.admin_id(update))
    service.drop(context.user_data)
    if outcome is None:
        await reply(update, context, texts("questions.save_failed"))
    else:
        await reply(
            update, context, texts("questions.saved", count=outcome.questions, told=outcome.told)
        )
    return END


async def answer_typed(update: Update, context: BotContext) -> int:
    """The answer's text in the asked language, or the source link."""
    draft = service.current(context.user_data)
    message = update.effective_message
    if draft is None or message is None or message.text is None:
        return END
    problem = service.take_text(context.texts, draft, message.text)
    if problem is not None:
        await reply(update, context, problem)
        return draft.step
    return await _next(update, context, draft)


async def _next(update: Update, context: BotContext, draft: AnswerDraft) -> int:
    """The draft's next question, if its group is still open."""
    found = await service.find(context.store, draft.key)
    if found is None:
        service.drop(context.user_data)
        await reply(update, context, context.texts("questions.save_failed"))
        return END
    service.advance(draft)
    await reply(update, context, *service.question(context.texts, draft, found))
    return draft.step


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: the answer is not saved."""
    service.drop(context.user_data)
    await reply(update, context, context.texts("questions.cancelled"))
    return END


async def timed_out(update: Update, context: BotContext) -> None:
    """Nothing visible: an unfinished answer is dropped after the draft timeout."""
    service.drop(context.user_data)


def _buttons(routes: Routes) -> dict[int, list[BaseHandler[Update, BotContext, object]]]:
    """Each step's buttons, one handler a verb; a button of another step is an old one (the
    admin handlers after the conversations answer it as such)."""

    def on(verb: str, callback: Callback[int]) -> BaseHandler[Update, BotContext, object]:
        return routes.button(service.QUESTIONS, [verb], callback)

    return {
        AnswerStep.TOPIC: [on("atopic", DRAFT.choice(AnswerDraft.choose_topic, _next))],
        AnswerStep.TEXT: [on("askip", DRAFT.tap(AnswerDraft.skip_language, _next))],
        AnswerStep.SOURCE: [on("aeditors", DRAFT.tap(AnswerDraft.by_editors, _next))],
        AnswerStep.PREVIEW: [on("asave", save)],
    }


def handlers(
    options: AdminOptions, routes: Routes
) -> list[BaseHandler[Update, BotContext, object]]:
    conversation = flow.conversation(
        "admin-questions",
        entry_points=[routes.button(service.QUESTIONS, ["answer"], start_answer)],
        steps=AnswerStep,
        # Every step also takes Cancel and text (the answer, its link, or the hint).
        on_screen=[
            routes.button(service.QUESTIONS, ["acancel"], DRAFT.cancel),
            MessageHandler(filters.TEXT & ~filters.COMMAND, answer_typed),
        ],
        by_step=_buttons(routes),
        cancel=cancel,
        timed_out=timed_out,
        timeout=options.draft_timeout,
    )
    return [
        conversation,
        routes.command("questions", questions),
        routes.button(service.QUESTIONS, ["list"], back_to_list),
        routes.button(service.QUESTIONS, ["link"], link_choices),
        routes.button(service.QUESTIONS, ["linkto"], linked),
        routes.button(service.QUESTIONS, ["dismiss"], dismissed),
    ]
