"""The end of /post: the preview (the post exactly as subscribers will read it, then who it
goes to, or what a correction fixes) and what its Send (Save, for a correction) does.

handlers.admin_post routes the buttons here, once the press is known to be the draft's.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.admin import drafts, guard, post_changes, posting, screens, views
from bot.admin.drafts import Draft
from bot.context import BotContext
from bot.delivery.publishing import update_parts
from bot.i18n import LANGUAGES, Html
from bot.replies import replace, reply

END = ConversationHandler.END


async def show(update: Update, context: BotContext, draft: Draft) -> None:
    """The post in every language, exactly as it will reach subscribers; then the buttons."""
    rendered = posting.render(draft)
    for language in LANGUAGES:
        for part in update_parts(rendered, language):
            await reply(update, context, Html(part))
    delivered = None
    if draft.editing is not None:
        delivered = await post_changes.to_fix(context.store, draft.editing, draft)
    audience = await posting.audience(context.store)
    text, keyboard = screens.preview_controls(context.texts, draft, audience, delivered)
    await reply(update, context, text, keyboard)


async def send(update: Update, context: BotContext, draft: Draft) -> int:
    """A new post is stored and queued for every subscriber; a correction is saved and the
    messages already delivered are queued to be fixed. The preview's buttons then say so."""
    store, texts = context.store, context.texts
    admin, bot_name = guard.admin_id(update), context.bot.first_name
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
    delivered = await post_changes.correct(
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
