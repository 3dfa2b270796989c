"""/post: an admin writes an update (news, or a milestone with its stage, date and place) in
kk, ru and en, sees it exactly as subscribers will, and sends it. The same conversation
corrects a published post (its "Edit" button in /updates).

The draft and its rules are in bot.admin.drafts, publishing in bot.admin.posting; these
handlers pass what the admin did to them and show what comes next.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    BaseHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.admin import drafts, flow, guard, posting, screens, views
from bot.admin.drafts import Draft
from bot.admin.flow import Step
from bot.admin.formatting import first_link, to_html
from bot.config import AdminOptions
from bot.context import BotContext
from bot.delivery.publishing import update_parts
from bot.i18n import LANGUAGES, Html, escape, texts_for
from bot.replies import NO_PREVIEW, replace, reply
from handlers.admin_routing import Routes

log = logging.getLogger(__name__)
END = ConversationHandler.END


def _today(context: BotContext) -> dt.date:
    return dt.datetime.fromtimestamp(context.bot_data.clock(), context.settings.timezone).date()


async def _show(update: Update, context: BotContext, draft: Draft, step: Step) -> Step:
    draft.step = step
    if step is Step.PREVIEW:
        await _preview(update, context, draft)
        return step
    text, keyboard = await screens.question(context.store, context.texts, draft, _today(context))
    await reply(update, context, text, keyboard)
    return step


async def _preview(update: Update, context: BotContext, draft: Draft) -> None:
    """The post in every language, exactly as it will reach subscribers; then the buttons."""
    rendered = posting.render(draft)
    for language in LANGUAGES:
        for part in update_parts(rendered, language):
            await reply(update, context, Html(part))
    delivered = None
    if draft.editing is not None:
        delivered = await posting.to_fix(context.store, draft.editing, draft)
    audience = await posting.audience(context.store)
    text, keyboard = screens.preview_controls(context.texts, draft, audience, delivered)
    await reply(update, context, text, keyboard)


async def answered(update: Update, context: BotContext) -> None:
    """Answer the button press; its message keeps the question and shows the answer."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    if not isinstance(message, Message) or not message.text:
        return
    markup = message.reply_markup or InlineKeyboardMarkup([])
    label = next(
        (b.text for row in markup.inline_keyboard for b in row if b.callback_data == query.data),
        "",
    )
    question = to_html(message.text, message.entities)
    answer = f"\n\n→ <b>{escape(label)}</b>" if label else ""
    await replace(update, context, Html(question + answer))


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


async def pressed(update: Update, context: BotContext) -> int:
    """A button of the draft's question: the answer is kept and the next question follows."""
    query = update.callback_query
    assert query is not None
    admin = guard.admin_id(update)
    draft = drafts.current(context.user_data)
    if draft is None:
        await query.answer(context.texts.plain("admin.stale"))
        return END
    press = screens.POST.parse(query.data)
    if press is None or press.arg(0) != draft.id:
        await query.answer(context.texts.plain("admin.stale"))
        return draft.step
    if press.verb == "cancel":
        drafts.drop(context.user_data)
        await query.answer()
        await replace(update, context, context.texts("admin.post.cancelled"))
        return END
    if press.verb == "send" and draft.step is Step.PREVIEW:
        await query.answer()
        return await _send(update, context, draft, admin)
    if press.verb == "restart" and draft.step is Step.RESUME:
        await answered(update, context)
        return await _show(update, context, drafts.keep(context.user_data, Draft()), Step.KIND)
    step = draft.press(press.verb, press.arg(1), _today(context))
    if step is None:
        await query.answer(context.texts.plain("admin.stale"))
        return draft.step
    await answered(update, context)
    return await _show(update, context, draft, step)


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


async def _send(update: Update, context: BotContext, draft: Draft, admin: int) -> int:
    store, texts = context.store, context.texts
    bot_name = context.bot.first_name
    if draft.editing is None:
        sent = await posting.send(store, draft, admin, bot_name)
        drafts.drop(context.user_data)
        await replace(
            update,
            context,
            texts("admin.post.sent.html", number=sent.update_id, queued=sent.queued),
            views.open_post_keyboard(texts, sent.update_id),
        )
        return END
    post = await store.posts.get(draft.editing)
    drafts.drop(context.user_data)
    if post is None:
        await replace(update, context, texts("admin.updates.not_editable"))
        return END
    delivered = await posting.correct(
        store,
        post,
        draft,
        admin,
        bot_name,
        in_flight=context.bot_data.sends_in_flight,
        now=context.bot_data.clock(),
    )
    if delivered is None:  # withdrawn (perhaps while the admin was editing)
        await replace(update, context, texts("admin.updates.not_editable"))
        return END
    queue = context.bot_data.corrections
    if delivered and queue is not None:
        queue.start(post.update_id)  # first: the fixes must not wait on this reply's fate
    saved = texts("admin.post.saved.html", number=post.update_id)
    if delivered:
        saved = Html(f"{saved}\n\n{texts('admin.post.saved.delivered', delivered=delivered)}")
    await replace(update, context, saved, views.open_post_keyboard(texts, post.update_id))
    return END


def handlers(
    options: AdminOptions, routes: Routes
) -> list[BaseHandler[Update, BotContext, object]]:
    # Every step takes the same inputs (a button, text, something else); the draft knows
    # which question is on screen and what an input means there (bot.admin.drafts).
    on_screen: list[BaseHandler[Update, BotContext, object]] = [
        routes.button(screens.POST, [], pressed),
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
        cancel=cancel,
        timed_out=timed_out,
        timeout=options.draft_timeout,
    )
    return [conversation]
