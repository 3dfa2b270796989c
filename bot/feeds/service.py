"""Feeds in the running Application: the poller started in post_init, its JobQueue heartbeat,
the daily housekeeping, the admins' alert, and the shut-down."""

from __future__ import annotations

import logging
from typing import Any

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.chats import ChatDirectory
from bot.config import Settings
from bot.feeds import admin
from bot.feeds.announce import Announce, warm_up
from bot.feeds.parse import stop_workers
from bot.feeds.poller import TICK, Poller
from bot.i18n import FALLBACK, texts_for
from bot.replies import NO_PREVIEW
from storage import Store
from storage.models import Feed

log = logging.getLogger(__name__)
FIRST_TICK = 2.0  # seconds after start: due feeds are checked almost at once after a restart
HOUSEKEEPING_EVERY = 24 * 3600.0  # seconds between prunings of what dedupe no longer needs
FIRST_HOUSEKEEPING = 300.0  # seconds after start: out of the way of the first checks

App = Application[Any, Any, Any, Any, Any, Any]


async def start(
    application: App, store: Store, chats: ChatDirectory, settings: Settings, announce: Announce
) -> Poller:
    """Create the poller, follow the FEEDS setting, and schedule the heartbeat (the
    application gives the bot and the JobQueue)."""

    async def alert_admins(feed: Feed) -> None:
        for admin_id in sorted(settings.admin_ids):
            chat = await chats.get(admin_id)
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

    warm_up()
    poller = Poller(store, settings.feed_options, announce, alert_admins)

    async def tick(_: object) -> None:
        """Start the checks of the feeds that are due; they run on after the job returns."""
        await poller.start_due()

    async def housekeeping(_: object) -> None:
        """Forget the seen keys and kept-out items that dedupe and admins no longer need."""
        await poller.prune()

    await poller.sync(settings.feeds)
    if application.job_queue is None:
        log.error("no JobQueue (python-telegram-bot[job-queue] missing): feeds are not polled")
    else:
        jobs = application.job_queue
        jobs.run_repeating(tick, interval=TICK, first=FIRST_TICK, name="feeds")
        jobs.run_repeating(
            housekeeping,
            interval=HOUSEKEEPING_EVERY,
            first=FIRST_HOUSEKEEPING,
            name="feeds housekeeping",
        )
    return poller


async def stop(poller: Poller | None) -> None:
    """Shut-down (the JobQueue has stopped: no tick comes after this)."""
    if poller is not None:
        await poller.aclose()
    stop_workers()
