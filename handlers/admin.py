"""Admin commands: /updates (correct or withdraw a post), /stats, /broadcasts (pause, resume,
cancel deliveries), /audit; and every admin handler in the order they must be registered.

Only admins (ADMIN_IDS) get past bot.admin.guard; admin commands answer in private chats.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.admin import channels as channel_screens
from bot.admin import flow, guard, posting, views
from bot.admin import questions as questions_service
from bot.config import AdminOptions
from bot.context import BotContext
from bot.i18n import Html
from bot.replies import replace, reply
from handlers import admin_facts, admin_post, questions_admin


async def updates(update: Update, context: BotContext) -> None:
    """The admins' recent posts with their delivery; a number opens one to edit or withdraw."""
    if await guard.require(update, context, "/updates") is None:
        return
    tz = context.settings.timezone
    await reply(update, context, *await views.updates_page(context.store, context.texts, tz))


async def updates_button(update: Update, context: BotContext) -> None:
    """Pages of /updates, a post's card, and withdrawing a post (asked first, then done)."""
    query = update.callback_query
    assert query is not None
    admin = await guard.require(update, context, "/updates")
    if admin is None:
        return
    store, texts, tz = context.store, context.texts, context.settings.timezone
    press = views.UPDATES.parse(query.data)
    number = press.number() if press else None
    if press is None or number is None:
        await query.answer(texts.plain("admin.stale"))
        return
    if press.verb == "page":
        await query.answer()
        await replace(update, context, *await views.updates_page(store, texts, tz, number))
        return
    post = await store.posts.get(number)
    if post is None:
        await query.answer(texts.plain("admin.stale"))
        return
    if press.verb == "withdraw" and not post.withdrawn:
        screen = views.withdraw_question(texts, post, await store.outbox.counts(number))
        await query.answer()
        await replace(update, context, *screen)
        return
    if press.verb == "gone":
        queue = context.bot_data.corrections
        withdrawal = await posting.withdraw(
            store, post, admin, in_flight=context.bot_data.sends_in_flight
        )
        if withdrawal is not None:
            if withdrawal.delivered and queue is not None:
                queue.start(number)
            await query.answer(
                texts.plain(
                    "admin.withdraw.done",
                    number=number,
                    cancelled=withdrawal.cancelled,
                    delivered=withdrawal.delivered,
                )
            )
        else:
            await query.answer(texts.plain("admin.withdraw.already", number=number))
    else:
        await query.answer()
    card = await views.post_card(store, texts, tz, number)
    if card is not None:
        await replace(update, context, *card)


async def stats(update: Update, context: BotContext) -> None:
    """Subscribers by language, mode and state; the latest updates' delivery and errors."""
    if await guard.require(update, context, "/stats") is None:
        return
    text = await views.stats(
        context.store, context.texts, context.settings.timezone, context.bot_data.feed_health
    )
    text = Html(f"{text}\n\n{await questions_service.stats(context.store, context.texts)}")
    latest = [u.id for u in await context.store.outbox.latest(views.STATS_UPDATES)]
    channels = await channel_screens.stats(context.store, context.texts, latest)
    if channels is not None:
        text = Html(f"{text}\n\n{channels}")
    await reply(update, context, text)


async def broadcasts(update: Update, context: BotContext) -> None:
    """Deliveries in progress with their progress, and pause / resume / cancel buttons."""
    if await guard.require(update, context, "/broadcasts") is None:
        return
    tz = context.settings.timezone
    await reply(update, context, *await views.broadcasts(context.store, context.texts, tz))


async def broadcast_button(update: Update, context: BotContext) -> None:
    """Pause, resume or cancel (asked first) an update's deliveries; the screen it was pressed
    on (the list, or the post's card) shows the new state."""
    query = update.callback_query
    assert query is not None
    admin = await guard.require(update, context, "/broadcasts")
    if admin is None:
        return
    store, texts, tz = context.store, context.texts, context.settings.timezone
    outbox = store.outbox
    press = views.BROADCASTS.parse(query.data)
    number = press.number() if press else None
    origin = press.arg(1) if press else ""
    note = None
    if press is not None and number is not None and await outbox.update(number) is not None:
        if press.verb == "cancel":
            await query.answer()
            counts = await outbox.counts(number)
            await replace(update, context, *views.cancel_question(texts, number, counts, origin))
            return
        changed = None
        if press.verb == "pause":
            changed = await outbox.pause(number)
        elif press.verb == "resume":
            changed = await outbox.resume(number, context.bot_data.clock())
        elif press.verb == "stop":
            changed = await outbox.cancel(number)
        if changed is not None:
            done = {"pause": "paused", "resume": "resumed", "stop": "cancelled"}[press.verb]
            await store.audit.record(
                admin, f"delivery.{done}", f"#{number}", f"deliveries={changed}"
            )
            note = texts.plain(f"admin.broadcasts.{done}", number=number, count=changed)
    await query.answer(note)
    card = None
    if origin == views.FROM_CARD and number is not None:
        card = await views.post_card(store, texts, tz, number)
    await replace(update, context, *(card or await views.broadcasts(store, texts, tz)))


async def audit(update: Update, context: BotContext) -> None:
    """The audit log, newest first: who did what, when."""
    if await guard.require(update, context, "/audit") is None:
        return
    tz = context.settings.timezone
    await reply(update, context, *await views.audit_page(context.store, context.texts, tz))


async def audit_button(update: Update, context: BotContext) -> None:
    """Another page of the audit log, in place."""
    query = update.callback_query
    assert query is not None
    if await guard.require(update, context, "/audit") is None:
        return
    press = views.AUDIT.parse(query.data)
    await query.answer()
    page = (press.number() if press else None) or 1
    tz = context.settings.timezone
    await replace(update, context, *await views.audit_page(context.store, context.texts, tz, page))


async def stale_button(update: Update, context: BotContext) -> None:
    """An admin button that no longer leads anywhere (a finished draft): a short note."""
    query = update.callback_query
    assert query is not None
    if await guard.require(update, context, "button") is None:
        return
    await query.answer(context.texts.plain("admin.stale"))


def handlers(options: AdminOptions) -> list[BaseHandler[Update, BotContext, object]]:
    """Every admin handler, conversations first (they own the buttons of their drafts)."""
    private = filters.ChatType.PRIVATE
    return [
        *admin_post.handlers(options),
        *admin_facts.handlers(options),
        *questions_admin.handlers(options),
        CommandHandler("updates", updates, filters=private),
        CommandHandler("stats", stats, filters=private),
        CommandHandler("broadcasts", broadcasts, filters=private),
        CommandHandler("audit", audit, filters=private),
        CallbackQueryHandler(updates_button, pattern=views.UPDATES.pattern()),
        CallbackQueryHandler(broadcast_button, pattern=views.BROADCASTS.pattern()),
        CallbackQueryHandler(audit_button, pattern=views.AUDIT.pattern()),
        CallbackQueryHandler(stale_button, pattern=rf"^{flow.PREFIX}:"),
    ]
