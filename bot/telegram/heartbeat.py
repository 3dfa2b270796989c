"""The heartbeat: when the bot last heard from Telegram, for `visatalks health`.

Polling: PollRequest, the HTTP client that only getUpdates uses, beats on every answered long
poll, including the empty ones, so an idle bot stays healthy and a bot cut off from Telegram
goes stale. Webhook: every accepted update beats, and so does a periodic getWebhookInfo
(bot.telegram.webhook), since a quiet bot may receive nothing for hours.

A beat only sets a number in memory: the hot path never writes to SQLite. A JobQueue job
writes the newest beat to the `runtime` table every FLUSH_SECONDS, where the health check
(another process) reads it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.telegram.ptb_private import ODVInput
from storage.runtime import LAST_POLL

if TYPE_CHECKING:
    from storage import Store

FLUSH_SECONDS = 15.0


class Heartbeat:
    def __init__(self) -> None:
        self.last: float | None = None  # time.time() of the newest beat
        self._flushed: float | None = None

    def beat(self) -> None:
        self.last = time.time()

    def pending(self) -> float | None:
        """The beat not yet written, if any."""
        return self.last if self.last != self._flushed else None

    def flushed(self, value: float) -> None:
        self._flushed = value


async def flush(heartbeat: Heartbeat, store: Store | None) -> None:
    """Writes the newest beat to SQLite (at most one write per call; a JobQueue job calls it)."""
    value = heartbeat.pending()
    if value is None or store is None:
        return
    moment = dt.datetime.fromtimestamp(value, dt.UTC).isoformat(timespec="seconds")
    await store.runtime.put(LAST_POLL, moment)
    heartbeat.flushed(value)


class PollRequest(HTTPXRequest):
    """The getUpdates connection (PTB's defaults for it), beating on each answered poll."""

    def __init__(self, heartbeat: Heartbeat, **kwargs: Any) -> None:
        kwargs.setdefault("connection_pool_size", 1)
        super().__init__(**kwargs)
        self.heartbeat = heartbeat

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if status == 200:
            self.heartbeat.beat()
        return status, body
