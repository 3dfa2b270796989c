"""The composition root: build_application(settings) wires every handler, job and service."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot import asked
from bot.admin import corrections
from bot.admin import guard as admin_guard
from bot.answers import Answerer
from bot.chats import ChatDirectory
from bot.commands import menu_commands, set_command_menus
from bot.config import Settings
from bot.content import Pages
from bot.context import BotContext, BotData
from bot.delivery import digests
from bot.delivery import worker as delivery
from bot.delivery.publishing import Announcement, publish
from bot.feeds import admin as feeds_admin
from bot.feeds import service as feeds_service
from bot.feeds.announce import Announce, NewItem, render_announcement
from bot.flood import FloodGate
from bot.ops.lock import InstanceLock
from bot.ops.metrics import MeasuredOrder, watch_deliveries
from bot.seeds import load_seeds
from bot.telegram import heartbeat
from bot.telegram.transport import ShardedRequest
from handlers import (
    admin,
    fallback,
    flood,
    info,
    language,
    questions,
    start,
    subscription,
    subscription_buttons,
    tracking,
)
from handlers import (
    asked as asked_buttons,
)
from storage import open_store

log = logging.getLogger(__name__)

# Handler groups run in this order; within a group only the first matching handler runs, so
# the fallback handlers are added last to the features' group.
GROUP_GUARDS = -10
GROUP_FLOOD = -5  # after tracking, so the "slow down" notice is in the chat's language
GROUP_FEATURES = 0
QUESTIONS_HOUSEKEEPING_SECONDS = 3600.0
REPLY_CONNECTIONS = 16  # besides delivery: replies to updates, admin corrections, feeds' notices

VisatalksApp = Application[Any, BotContext, Any, Any, BotData, Any]


async def _post_init(application: VisatalksApp) -> None:
    data = application.bot_data
    # Before anything is opened: a second instance must not even run migrations.
    data.lock = InstanceLock.acquire(data.settings.database_path)
    data.store = await open_store(data.settings.database_path)
    data.chats = ChatDirectory(data.store.chats)
    data.pages = Pages(
        data.store, today=lambda: dt.datetime.fromtimestamp(data.clock(), dt.UTC).date()
    )
    await load_seeds(data.store)
    data.answerer = Answerer(data.store)
    await data.answerer.snapshot()  # the first question should not pay for loading the facts
    data.feeds = await feeds_service.start(
        application, data.store, data.chats, data.settings, _feed_announcer(data)
    )
    data.feed_health = partial(feeds_admin.listing, data.store, timezone=data.settings.timezone)
    try:
        await set_command_menus(application.bot)
        await admin_guard.set_admin_menus(
            application.bot, data.admin_menus, data.settings.admin_ids, data.chats, menu_commands
        )
    except TelegramError as exc:  # a menu is a nicety; never a reason not to start
        log.warning("could not set command menus: %s", exc)
    await digests.replan_if_zone_changed(data.store, data.settings.timezone, data.clock())
    if data.deliver:  # not the offline console: it delivers and corrects nothing
        data.delivery = await delivery.start_worker(
            application.bot, data.store, data.chats, data.settings, data.clock
        )
        watch_deliveries(data.delivery.stats)
        data.corrections = await corrections.start_queue(
            application.bot, data.store, data.chats, data.settings
        )
    # What start-up built (modules, catalogues, the fact index: about 90,000 objects) lives
    # as long as the process. Frozen, the garbage collector's full passes skip it; a full
    # pass over it stalled the event loop for about 40 ms, long enough to delay sends past
    # Telegram's window and answers past 50 ms.
    gc.collect()  # start-up's own garbage first, or it would be kept for good
    gc.freeze()


async def _post_stop(application: VisatalksApp) -> None:
    queue, application.bot_data.corrections = application.bot_data.corrections, None
    if queue is not None:  # stops at once: the rest stays queued for the next start
        await queue.stop()
    worker, application.bot_data.delivery = application.bot_data.delivery, None
    if worker is not None:  # finishes the sends in flight, then stops
        await worker.stop()


def _feed_announcer(data: BotData) -> Announce:
    async def announce(items: Sequence[NewItem]) -> None:
        # Runs inside the poll's transaction (see bot/feeds/poller/__init__.py): the outbox rows
        # commit or roll back with the stored items.
        assert data.store is not None
        texts = render_announcement(items, data.settings.timezone)
        await publish(data.store, Announcement("feed", texts, article_id=items[0].article_id))

    return announce


async def _post_shutdown(application: VisatalksApp) -> None:
    poller, application.bot_data.feeds = application.bot_data.feeds, None
    await feeds_service.stop(poller)
    if application.bot_data.store is not None:
        await application.bot_data.store.close()
        application.bot_data.store = None
    if application.bot_data.lock is not None:
        application.bot_data.lock.release()
        application.bot_data.lock = None


async def _flush_heartbeat(context: BotContext) -> None:
    await heartbeat.flush(context.bot_data.heartbeat, context.bot_data.store)


async def _forget_old_questions(context: BotContext) -> None:
    """Housekeeping: questions past QUESTIONS_RETENTION_DAYS go, with their chat ids."""
    days = context.bot_data.settings.admin.questions_retention_days
    deleted = await asked.forget_old(context.store, days)
    if deleted:
        log.info("%d questions older than %g days deleted", deleted, days)


async def _on_error(update: object, context: BotContext) -> None:
    """Logs the failure with its traceback; the user gets a short apology where possible."""
    chat_id = (
        update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    )
    log.error("update failed (chat %s)", chat_id, exc_info=context.error)
    if chat_id is None or isinstance(context.error, TelegramError):
        return
    try:
        await context.bot.send_message(chat_id, context.texts.plain("error.generic"))
    except TelegramError:
        log.warning("chat %s: could not send the error notice", chat_id)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    token: str | None = None,
) -> VisatalksApp:
    """The Application with every handler registered; `request` replaces the network (console)."""
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .token(token or settings.bot_token or "")
        .base_url(settings.api_base_url)
        .context_types(context_types)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(MeasuredOrder())
    )
    beats = heartbeat.Heartbeat()
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        # Room for every delivery send in flight, plus the replies to updates and admin edits.
        connections = settings.delivery.concurrency + REPLY_CONNECTIONS
        builder = builder.request(ShardedRequest(connections))
        builder = builder.get_updates_request(heartbeat.PollRequest(beats))
    application: VisatalksApp = builder.build()
    application.bot_data.settings = settings
    application.bot_data.heartbeat = beats
    application.bot_data.flood = FloodGate(settings.flood)
    application.bot_data.deliver = request is None

    application.add_handlers(tracking.HANDLERS, group=GROUP_GUARDS)
    application.add_handlers(flood.HANDLERS, group=GROUP_FLOOD)
    for feature in (start, language, info, subscription, subscription_buttons, asked_buttons):
        application.add_handlers(feature.HANDLERS, group=GROUP_FEATURES)
    # Every admin handler (/feeds and /channels too), then the refusal for anyone else; before
    # questions and fallbacks: an admin's text in a /post draft belongs to the draft.
    admin_handlers = admin.handlers(settings.admin, settings.admin_ids)
    application.add_handlers(admin_handlers, group=GROUP_FEATURES)
    for feature in (questions, fallback):
        application.add_handlers(feature.HANDLERS, group=GROUP_FEATURES)
    application.add_error_handler(_on_error)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _flush_heartbeat, interval=heartbeat.FLUSH_SECONDS, first=1.0, name="heartbeat"
        )
        application.job_queue.run_repeating(
            _forget_old_questions, interval=QUESTIONS_HOUSEKEEPING_SECONDS, first=60.0,
            name="questions-retention",
        )  # fmt: skip
    return application
