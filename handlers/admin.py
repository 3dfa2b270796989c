"""Admin commands: /updates (correct or withdraw a post), /stats, /broadcasts (pause, resume,
cancel deliveries), /audit; and every admin handler in the order they must be registered.

Only admins (ADMIN_IDS) reach these handlers (handlers.admin_routing); admin commands answer
in private chats. Each button verb has its own handler.
"""

from __future__ import annotations

from collections.abc import Collection

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler

from bot.admin import broadcasts as deliveries
from bot.admin import guard, posting, views
from bot.admin.views import AUDIT, BROADCASTS, UPDATES
from bot.callbacks import Buttons, Press
from bot.config import AdminOptions
from bot.context import BotContext
from bot.replies import replace, reply
from handlers import admin_facts, admin_post, channels, feeds, questions_admin
from handlers.admin_routing import Callback, Routes, stale_button
from storage.models import Post


def _pressed(update: Update, buttons: Buttons) -> tuple[CallbackQuery, Press | None]:
    query = update.callback_query
    assert query is not None
    return query, buttons.parse(query.data)


async def updates(update: Update, context: BotContext) -> None:
    """The admins' recent posts with their delivery; a number opens one to edit or withdraw."""
    tz = context.settings.timezone
    await reply(update, context, *await views.updates_page(context.store, context.texts, tz))


async def updates_page(update: Update, context: BotContext) -> None:
    """Another page of /updates, in place."""
    query, press = _pressed(update, UPDATES)
    number = press.number() if press else None
    if number is None:
        await stale_button(update, context)
        return
    await query.answer()
    tz = context.settings.timezone
    await replace(
        update, context, *await views.updates_page(context.store, context.texts, tz, number)
    )


async def _post_card(update: Update, context: BotContext, number: int) -> None:
    card = await views.post_card(context.store, context.texts, context.settings.timezone, number)
    if card is not None:
        await replace(update, context, *card)


async def _post_of(update: Update, context: BotContext) -> tuple[CallbackQuery, Post | None]:
    """The post a /updates button names; a stale or forged one is answered so here."""
    query, press = _pressed(update, UPDATES)
    number = press.number() if press else None
    post = await context.store.posts.get(number) if number is not None else None
    if post is None:
        await stale_button(update, context)
    return query, post


async def open_post(update: Update, context: BotContext) -> None:
    """A post's card."""
    query, post = await _post_of(update, context)
    if post is not None:
        await query.answer()
        await _post_card(update, context, post.update_id)


async def withdraw(update: Update, context: BotContext) -> None:
    """Withdrawing a post: asked first (a withdrawn one shows its card again)."""
    query, post = await _post_of(update, context)
    if post is None:
        return
    await query.answer()
    if post.withdrawn:
        await _post_card(update, context, post.update_id)
        return
    counts = await context.store.outbox.counts(post.update_id)
    await replace(update, context, *views.withdraw_question(context.texts, post, counts))


async def withdrawn(update: Update, context: BotContext) -> None:
    """Withdrawing confirmed: its deliveries stop, the sent messages are corrected."""
    query, post = await _post_of(update, context)
    if post is None:
        return
    texts, number = context.texts, post.update_id
    withdrawal = await posting.withdraw(
        context.store, post, guard.admin_id(update), in_flight=context.bot_data.sends_in_flight
    )
    if withdrawal is None:
        await query.answer(texts.plain("admin.withdraw.already", number=number))
    else:
        queue = context.bot_data.corrections
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
    await _post_card(update, context, number)


async def stats(update: Update, context: BotContext) -> None:
    """Subscribers by language, mode and state; the latest updates' delivery and errors."""
    tz, feed_health = context.settings.timezone, context.bot_data.feed_health
    await reply(
        update, context, await views.full_stats(context.store, context.texts, tz, feed_health)
    )


async def broadcasts(update: Update, context: BotContext) -> None:
    """Deliveries in progress with their progress, and pause / resume / cancel buttons."""
    tz = context.settings.timezone
    await reply(update, context, *await views.broadcasts(context.store, context.texts, tz))


async def _broadcast_screen(
    update: Update, context: BotContext, press: Press | None, note: str | None = None
) -> None:
    """The screen a delivery button was pressed on (the list, or the post's card), anew."""
    query = update.callback_query
    assert query is not None
    await query.answer(note)
    store, texts, tz = context.store, context.texts, context.settings.timezone
    number = press.number() if press else None
    card = None
    if press is not None and press.arg(1) == views.FROM_CARD and number is not None:
        card = await views.post_card(store, texts, tz, number)
    await replace(update, context, *(card or await views.broadcasts(store, texts, tz)))


async def broadcasts_list(update: Update, context: BotContext) -> None:
    """Refresh."""
    _, press = _pressed(update, BROADCASTS)
    await _broadcast_screen(update, context, press)


async def cancel_asked(update: Update, context: BotContext) -> None:
    """Cancelling an update's deliveries: asked first."""
    query, press = _pressed(update, BROADCASTS)
    number = press.number() if press else None
    outbox = context.store.outbox
    if press is None or number is None or await outbox.update(number) is None:
        await _broadcast_screen(update, context, press)
        return
    await query.answer()
    counts = await outbox.counts(number)
    screen = views.cancel_question(context.texts, number, counts, press.arg(1))
    await replace(update, context, *screen)


def _delivery_action(action: deliveries.Action) -> Callback[None]:
    async def act(update: Update, context: BotContext) -> None:
        """Pause, resume or cancel (confirmed) an update's deliveries, with a short note."""
        _, press = _pressed(update, BROADCASTS)
        number = press.number() if press else None
        note = None
        if number is not None:
            now = context.bot_data.clock()
            changed = await deliveries.apply(
                context.store, guard.admin_id(update), number, action, now
            )
            if changed is not None:
                key = f"admin.broadcasts.{action.value}"
                note = context.texts.plain(key, number=number, count=changed)
        await _broadcast_screen(update, context, press, note)

    return act


async def audit(update: Update, context: BotContext) -> None:
    """The audit log, newest first: who did what, when."""
    tz = context.settings.timezone
    await reply(update, context, *await views.audit_page(context.store, context.texts, tz))


async def audit_page(update: Update, context: BotContext) -> None:
    """Another page of the audit log, in place."""
    query, press = _pressed(update, AUDIT)
    await query.answer()
    page = (press.number() if press else None) or 1
    tz = context.settings.timezone
    await replace(update, context, *await views.audit_page(context.store, context.texts, tz, page))


def handlers(
    options: AdminOptions, admin_ids: Collection[int]
) -> list[BaseHandler[Update, BotContext, object]]:
    """Every admin handler, conversations first (they own the buttons of their drafts), then
    the refusal for anyone else."""
    routes = Routes(admin_ids)
    return [
        *admin_post.handlers(options, routes),
        *admin_facts.handlers(options, routes),
        *questions_admin.handlers(options, routes),
        *feeds.handlers(routes),
        *channels.handlers(routes),
        routes.command("updates", updates),
        routes.command("stats", stats),
        routes.command("broadcasts", broadcasts),
        routes.command("audit", audit),
        routes.button(UPDATES, ["page"], updates_page),
        routes.button(UPDATES, ["open"], open_post),
        routes.button(UPDATES, ["withdraw"], withdraw),
        routes.button(UPDATES, ["gone"], withdrawn),
        routes.button(BROADCASTS, ["list"], broadcasts_list),
        routes.button(BROADCASTS, ["cancel"], cancel_asked),
        routes.button(BROADCASTS, ["pause"], _delivery_action(deliveries.Action.PAUSE)),
        routes.button(BROADCASTS, ["resume"], _delivery_action(deliveries.Action.RESUME)),
        routes.button(BROADCASTS, ["stop"], _delivery_action(deliveries.Action.CANCEL)),
        routes.button(AUDIT, ["page"], audit_page),
        routes.any_button(stale_button),
        *channels.forward_handlers(routes),
        *routes.refusals(),
    ]
