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
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application

from bot import sdnotify
from bot.config import WebhookConfig
from bot.webhook import WebhookServer

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll: bool = True,
    poll_timeout: int = 10,
    webhook: WebhookConfig | None = None,
) -> AsyncIterator[None]:
    """The application started for the `with` body: serving `webhook` when given, else long
    polling unless `poll` is False."""
    await application.initialize()
    server: WebhookServer | None = None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if webhook is not None:
            listening = WebhookServer(application, webhook)
            await listening.start()  # stops itself if registering with Telegram fails
            server = listening
        elif poll:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
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
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve(
    application: Application[Any, Any, Any, Any, Any, Any], webhook: WebhookConfig | None = None
) -> None:
    """Poll (or serve `webhook`) until SIGINT or SIGTERM, then finish what is in flight."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running(application, webhook=webhook):
            log.info("bot started")
            sdnotify.started(application)
            await stop.wait()
            log.info("stopping: finishing work in flight")
            sdnotify.notify("STOPPING=1")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


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
