"""Running the Application: start-up and shut-down in the right order, and stopping on signals.

The same `running()` serves `visatalks run`, the tests and the benchmarks, so all of them go
through the one lifecycle: initialize -> post_init -> polling -> start ... stop -> shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import Any

from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll: bool = True,
    poll_timeout: int = 10,
) -> AsyncIterator[None]:
    """The application started (long polling unless `poll` is False) for the `with` body."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if poll:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
            )
        await application.start()
        try:
            yield
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Poll until SIGINT or SIGTERM, then finish what is in flight and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running(application):
            log.info("bot started")
            await stop.wait()
            log.info("stopping: finishing work in flight")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
