"""Running the Application: start-up and shut-down in the right order, and stopping on signals.

The same `running()` serves `visatalks run`, the tests and the benchmarks, so all of them go
through the one lifecycle: initialize -> post_init -> polling or webhook -> start ... stop ->
shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import Conflict, NetworkError, TelegramError, TimedOut
from telegram.ext import Application

from bot.config import WebhookConfig
from bot.errors import AlreadyRunning
from bot.ops.metrics import MetricsServer
from bot.telegram import sdnotify
from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)

CONFLICT = "another instance polls this bot (Telegram answered 409 Conflict)"
ANOTHER_POLLER = (
    f"{CONFLICT}: one token serves one visatalks at a time. Stop the other, or give this one "
    "its own bot token."
)


class PollingErrors:
    """PTB's error callback for the polling loop: one log line per failure, no traceback.

    A 409 Conflict means another process polls with the same token. Before our first answered
    poll it is this instance that is the second one: `on_conflict` stops the start. Later it
    is a newcomer; PTB retries after a pause that grows to 30 s, and the newcomer, refused at
    its start, goes away.
    """

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        on_conflict: Callable[[], None] | None,
    ) -> None:
        self.application = application
        self.on_conflict = on_conflict
        self.conflict = False

    def __call__(self, exc: TelegramError) -> None:
        if isinstance(exc, Conflict):
            polled = self.application.bot_data.heartbeat.last is not None
            if not polled and self.on_conflict is not None:
                if not self.conflict:
                    self.conflict = True
                    self.on_conflict()
                return
            log.warning("polling: %s; retrying after a pause", CONFLICT)
        elif isinstance(exc, NetworkError):
            log.warning("polling: %s; retrying after a pause", exc)
        else:
            log.error("polling: %s: %s; retrying after a pause", type(exc).__name__, exc)


async def refuse_foreign_webhook(bot: Bot, ours: str | None, *, take_over: bool) -> None:
    """Raise AlreadyRunning when a webhook other than `ours` is set: whoever set it receives
    this bot's updates, and polling (which deletes it) or our setWebhook would take them away
    unasked. `take_over` replaces it on purpose (after a move, or from webhook to polling)."""
    info = await bot.get_webhook_info()
    if not info.url or info.url == ours or take_over:
        if info.url and info.url != ours:
            log.warning("replacing the webhook %s (--take-over)", info.url)
        return
    raise AlreadyRunning(
        f"another instance receives this bot's updates: Telegram delivers them to the webhook "
        f"{info.url}. Stop it, or start with --take-over to replace that webhook."
    )


@contextlib.asynccontextmanager
async def running(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll: bool = True,
    poll_timeout: int = 10,
    webhook: WebhookConfig | None = None,
    on_conflict: Callable[[], None] | None = None,
    take_over: bool = False,
) -> AsyncIterator[None]:
    """The application started for the `with` body: serving `webhook` when given, else long
    polling unless `poll` is False. `on_conflict` is called when another instance already
    polls with this token (see PollingErrors); without it that is only logged."""
    await application.initialize()
    server: WebhookServer | None = None
    metrics_server: MetricsServer | None = None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if webhook is not None or poll:
            ours = webhook.url if webhook is not None else None
            await refuse_foreign_webhook(application.bot, ours, take_over=take_over)
        if webhook is not None:
            data = application.bot_data
            listening = WebhookServer(
                application, webhook, data.heartbeat, data.settings.database_path
            )
            await listening.start()  # stops itself if registering with Telegram fails
            server = listening
        elif poll:
            options = application.bot_data.settings.metrics
            if options.port is not None:
                metrics_server = MetricsServer(
                    application.bot_data.settings.database_path, options.host, options.port
                )
                await metrics_server.start()
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=poll_timeout,
                allowed_updates=Update.ALL_TYPES,
                error_callback=PollingErrors(application, on_conflict),
            )
        await application.start()
        try:
            yield
        finally:
            if server is not None:
                await server.stop()
                server = None
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        if server is not None:  # application.start() failed while the server listened
            await server.stop()
        if metrics_server is not None:
            await metrics_server.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve(
    application: Application[Any, Any, Any, Any, Any, Any],
    webhook: WebhookConfig | None = None,
    *,
    take_over: bool = False,
) -> None:
    """Poll (or serve `webhook`) until SIGINT or SIGTERM, then finish what is in flight.

    Raises AlreadyRunning when another instance serves the same bot token."""
    stop = asyncio.Event()
    conflict = asyncio.Event()

    def another_instance() -> None:
        conflict.set()
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running(
            application, webhook=webhook, on_conflict=another_instance, take_over=take_over
        ):
            log.info("bot started")
            sdnotify.started(application)
            await stop.wait()
            if not conflict.is_set():
                log.info("stopping: finishing work in flight")
            sdnotify.notify("STOPPING=1")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    if conflict.is_set():
        raise AlreadyRunning(ANOTHER_POLLER)


def unreachable(api_base_url: str, exc: NetworkError) -> str:
    """What failed when Telegram could not be reached: the host and a reason a person can act
    on (a name that does not resolve is the network's or the setting's fault, not Telegram's)."""
    host = urlsplit(api_base_url).hostname or api_base_url
    return f"cannot reach {host}: {_network_reason(exc)}"


def _network_reason(exc: NetworkError) -> str:
    if isinstance(exc, TimedOut):
        return "no answer in time (timed out); check the network, a proxy or the firewall"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return (
                f"name not resolved ({cause.strerror or cause}); check DNS, the network, "
                "or TELEGRAM_API_BASE_URL"
            )
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused; is TELEGRAM_API_BASE_URL right and its server up?"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed ({cause.reason or cause}); check the system's certificates"
        cause = cause.__cause__ or cause.__context__
    detail = str(exc).removeprefix("httpcore.")
    return f"network error ({detail})"
