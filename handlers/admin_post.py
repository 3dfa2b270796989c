"""/post: an admin writes an update (news, or a milestone with its stage, date and place) in
kk, ru and en, sees it exactly as subscribers will, and sends it. The same conversation
corrects a published post (its "Edit" button in /updates).

The draft and its rules are in bot.admin.drafts, the screens in bot.admin.screens, the
preview and its Send in handlers.admin_post_preview; these handlers pass what the admin did
to the draft and show what comes next. Each step of the conversation takes the buttons
of its own question, one handler a verb (`handlers` at the end shows them all); a button
no step takes is an old one, answered as such by the admin handlers after the conversations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.admin import drafts, flow, screens, views
from bot.admin.drafts import Draft
from bot.admin.flow import Step
from bot.admin.formatting import first_link, to_html
from bot.config import AdminOptions
from bot.context import BotContext
from bot.i18n import texts_for
from bot.replies import NO_PREVIEW, reply
from handlers import admin_post_preview as preview
from handlers.admin_drafts import DraftButtons, answered
from handlers.admin_routing import Callback, Routes, stale_button

END = ConversationHandler.END
# The draft's buttons (bot.admin.screens.POST); Cancel under every question and the preview.
DRAFT = DraftButtons(screens.POST, drafts.SLOT, "admin.post.cancelled")


def _today(context: BotContext) -> dt.date:
    return dt.datetime.fromtimestamp(context.bot_data.clock(), context.settings.timezone).date()


async def _show(update: Update, context: BotContext, draft: Draft, step: Step) -> Step:
    draft.step = step
    if step is Step.PREVIEW:
        await preview.show(update, context, draft)
        return step
    known = await screens.known(context.store, step, context.texts.language)
    if step is Step.PLACE:
        draft.offered_places = list(known.places)  # what the place buttons' numbers stand for
    await reply(update, context, *screens.question(context.texts, draft, _today(context), known))
    return step


async def start(update: Update, context: BotContext) -> int:
    """Asks what to post (news or a milestone), or offers to continue an unfinished draft."""
    kept = drafts.current(context.user_data)
    if kept is not None and (kept.kind or kept.texts):
        if kept.step is not Step.RESUME:
            kept.resume_step = kept.step
        return await _show(update, context, kept, Step.RESUME)
    return await _show(update, context, drafts.keep(context.user_data, Draft()), Step.KIND)


async def edit(update: Update, context: BotContext) -> int:
    """A published post's "Edit" button: asks what to change in it."""
    query = update.callback_query
    assert query is not None
    press = views.UPDATES.parse(query.data)
    number = press.number() if press else None
    post = await context.store.posts.get(number) if number is not None else None
    if post is None or post.withdrawn:
        await query.answer(context.texts.plain("admin.updates.not_editable"))
        return END
    await query.answer()
    draft = drafts.keep(context.user_data, Draft.of_post(post))
    return await _show(update, context, draft, Step.FIELD)


Change = Callable[[Draft, str, dt.date], Step | None]  # the draft, the button's argument, today


def _changing(change: Change) -> Callback[int]:
    """The handler of a button that changes the draft (bot.admin.drafts says how)."""

    async def changed(update: Update, context: BotContext) -> int:
        """The answer is kept and the next question follows."""
        found = await DRAFT.pressed(update, context)
        if isinstance(found, int):
            return found
        draft, press = found
        step = change(draft, press.arg(1), _today(context))
        if step is None:
            await stale_button(update, context)
            return draft.step
        await answered(update, context)
        return await _show(update, context, draft, step)

    return changed


def _tap(method: Callable[[Draft], Step | None]) -> Callback[int]:
    """A button with nothing to choose (Skip, Back, Continue...)."""
    return _changing(lambda draft, _argument, _today: method(draft))


def _choice(method: Callable[[Draft, str], Step | None]) -> Callback[int]:
    """A button that carries a choice (a kind, a stage, a place, a field)."""
    return _changing(lambda draft, argument, _today: method(draft, argument))


async def restart(update: Update, context: BotContext) -> int:
    """Start over (an unfinished draft was found): a new draft, its first question."""
    found = await DRAFT.pressed(update, context)
    if isinstance(found, int):
        return found
    await answered(update, context)
    return await _show(update, context, drafts.keep(context.user_data, Draft()), Step.KIND)


async def send(update: Update, context: BotContext) -> int:
    """Send (Save, for a correction) under the preview: the post goes out, or is saved."""
    found = await DRAFT.pressed(update, context)
    if isinstance(found, int):
        return found
    query = update.callback_query
    assert query is not None
    await query.answer()
    return await preview.send(update, context, found[0])


async def typed(update: Update, context: BotContext) -> int:
    """Text for the question on screen: the post's text (formatting kept), a date, a place
    or a link; something that does not fit gets a short hint and the question stays."""
    draft = drafts.current(context.user_data)
    message = update.effective_message
    if draft is None or message is None or message.text is None:
        return END
    markup = to_html(message.text, message.entities)
    link = first_link(message.text, message.entities) if draft.step is Step.LINK else None
    step, problem = draft.answer(markup, link or message.text, _today(context))
    if problem is not None:
        await reply(update, context, context.texts(problem))
        return draft.step
    return await _show(update, context, draft, step)


async def not_text(update: Update, context: BotContext) -> int:
    """A photo, sticker or the like during /post: only text is taken, the question stays."""
    draft = drafts.current(context.user_data)
    await reply(update, context, context.texts("admin.problem.text_only"))
    return draft.step if draft else END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel: the draft is discarded."""
    drafts.drop(context.user_data)
    await reply(update, context, context.texts("admin.post.cancelled"))
    return END


async def timed_out(update: Update, context: BotContext) -> None:
    """After a long silence: the draft is put aside; /post offers to continue it."""
    chat = update.effective_chat
    if chat is None or drafts.current(context.user_data) is None:
        return
    known = await context.chats.get(chat.id)
    texts = texts_for(known.language if known else context.texts.language)
    minutes = max(1, round(context.settings.admin.draft_timeout / 60))
    await context.bot.send_message(
        chat.id,
        texts("admin.post.timeout", minutes=minutes),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
    )


def _buttons(routes: Routes) -> dict[int, list[BaseHandler[Update, BotContext, object]]]:
    """Each step's buttons, one handler a verb: a button pressed at another step is an old
    one (the admin handlers after the conversations answer it as such)."""

    def on(verb: str, callback: Callback[int]) -> BaseHandler[Update, BotContext, object]:
        return routes.button(screens.POST, [verb], callback)

    # Back to the preview, from a field chosen there: taken at every other step, as before
    # this routing (the draft says whether there is a preview to go back to).
    back = on("back", _tap(Draft.back))
    return {
        Step.RESUME: [on("resume", _tap(Draft.resume)), on("restart", restart), back],
        Step.KIND: [on("kind", _choice(Draft.choose_kind)), back],
        Step.STAGE: [on("stage", _choice(Draft.choose_stage)), back],
        Step.DATE: [on("date", _changing(Draft.choose_date)), back],
        Step.PLACE: [on("place", _choice(Draft.choose_place)), back],
        Step.TEXT: [on("skip", _tap(Draft.skip)), on("remove", _tap(Draft.remove_text)), back],
        Step.LINK: [on("nolink", _tap(Draft.no_link)), back],
        Step.PREVIEW: [on("send", send), on("change", _tap(Draft.change))],
        Step.FIELD: [on("field", _choice(Draft.choose_field)), back],
    }


def handlers(
    options: AdminOptions, routes: Routes
) -> list[BaseHandler[Update, BotContext, object]]:
    # Every step also takes Cancel, text (the answer to its question) and anything else.
    on_screen: list[BaseHandler[Update, BotContext, object]] = [
        routes.button(screens.POST, ["cancel"], DRAFT.cancel),
        MessageHandler(filters.TEXT & ~filters.COMMAND, typed),
        MessageHandler(~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, not_text),
    ]
    conversation = flow.conversation(
        "admin-post",
        entry_points=[
            routes.command("post", start),
            routes.button(views.UPDATES, ["edit"], edit),
        ],
        steps=Step,
        on_screen=on_screen,
        by_step=_buttons(routes),
        cancel=cancel,
        timed_out=timed_out,
        timeout=options.draft_timeout,
    )
    return [conversation]
