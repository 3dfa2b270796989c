"""Feeds in the running Application: the poller started in post_init, its JobQueue heartbeat,
the daily housekeeping, the admins' alert, and the shut-down."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.feeds import admin
from bot.feeds.announce import Announce, warm_up
from bot.feeds.parse import stop_workers
from bot.feeds.poller import TICK, Poller
from bot.i18n import FALLBACK, texts_for
from bot.replies import NO_PREVIEW
from storage.models import Feed

if TYPE_CHECKING:
    from bot.context import BotContext

log = logging.getLogger(__name__)
FIRST_TICK = 2.0  # seconds after start: due feeds are checked almost at once after a restart
HOUSEKEEPING_EVERY = 24 * 3600.0  # seconds between prunings of what dedupe no longer needs
FIRST_HOUSEKEEPING = 300.0  # seconds after start: out of the way of the first checks

App = Application[Any, Any, Any, Any, Any, Any]


async def start(application: App, announce: Announce) -> Poller:
    """Create the poller, follow the FEEDS setting, and schedule the heartbeat."""
    data = application.bot_data
    settings = data.settings

    async def alert_admins(feed: Feed) -> None:
        for admin_id in sorted(settings.admin_ids):
            chat = await data.chats.get(admin_id) if data.chats else None
            texts = texts_for(chat.language if chat else FALLBACK)
            try:
                await application.bot.send_message(
                    admin_id,
                    admin.alert(texts, feed, settings.timezone),
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                )
            except TelegramError as exc:  # an alert is best effort; /feeds shows the same
                log.warning("chat %s: feed alert not delivered: %s", admin_id, exc)

    assert data.store is not None, "the store is opened before the feeds start"
    warm_up()
    poller = Poller(data.store, settings.feed_options, announce, alert_admins)
    await poller.sync(settings.feeds)
    if application.job_queue is None:
        log.error("no JobQueue (python-telegram-bot[job-queue] missing): feeds are not polled")
    else:
        jobs = application.job_queue
        jobs.run_repeating(_tick, interval=TICK, first=FIRST_TICK, name="feeds")
        jobs.run_repeating(
            _housekeeping,
            interval=HOUSEKEEPING_EVERY,
            first=FIRST_HOUSEKEEPING,
            name="feeds housekeeping",
        )
    return poller


async def _tick(context: BotContext) -> None:
    """Start the checks of the feeds that are due; they run on after the job returns."""
    poller = context.bot_data.feeds
    if poller is not None:
        await poller.start_due()


async def _housekeeping(context: BotContext) -> None:
    """Forget the seen keys and kept-out items that dedupe and admins no longer need."""
    poller = context.bot_data.feeds
    if poller is not None:
        await poller.prune()


async def stop(application: App) -> None:
    poller = application.bot_data.feeds
    if poller is not None:
        application.bot_data.feeds = None
        await poller.aclose()
    stop_workers()
