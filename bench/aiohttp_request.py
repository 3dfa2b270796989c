"""A python-telegram-bot BaseRequest on aiohttp, to weigh against the httpcore pools of
bot.telegram.transport.

aiohttp parses HTTP in C and keeps its connections in one pool that hands out an idle one in
constant time, so it might do without bot.telegram.transport's shards and its stream wrapper.
Only the benchmark uses it (bench.transports runs the bot with it); aiohttp is not a dependency
of the bot: `pip install aiohttp` to run it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp
import yarl
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.ops import metrics
from bot.telegram.ptb_private import DefaultValue, ODVInput
from bot.telegram.transport import CONNECT_TIMEOUT, KEEPALIVE_SECONDS, POOL_TIMEOUT, READ_TIMEOUT

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _given(value: ODVInput[float], default: float) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _plus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


class AiohttpRequest(BaseRequest):
    """Up to `connections` requests at once over one aiohttp session.

    PTB's timeouts: connect is the TCP (and TLS) connect, read the wait for each chunk of the
    answer, pool + connect the wait for a connection at all; aiohttp has no write timeout.
    """

    def __init__(self, connections: int) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[object, ...], aiohttp.ClientTimeout] = {}
        self._urls: dict[str, yarl.URL] = {}  # parsed once: the bot posts to a few URLs only

    @property
    def read_timeout(self) -> float | None:
        return READ_TIMEOUT

    async def initialize(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._connections, keepalive_timeout=KEEPALIVE_SECONDS
                ),
                headers={"User-Agent": self.USER_AGENT, "Accept": "*/*"},
                trust_env=True,  # HTTPS_PROXY and the like, as httpx honours them
                cookie_jar=aiohttp.DummyCookieJar(),  # Telegram sets none: skip the bookkeeping
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _timeout(
        self,
        read: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        key = (read, connect, pool)  # DEFAULT_NONE is one object: the usual key is one entry
        timeout = self._timeouts.get(key)
        if timeout is None:
            connecting = _given(connect, CONNECT_TIMEOUT)
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None,
                connect=_plus(_given(pool, POOL_TIMEOUT), connecting),
                sock_connect=connecting,
                sock_read=_given(read, READ_TIMEOUT),
            )
        return timeout

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
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        data: bytes | aiohttp.FormData | None = None
        headers = None
        if request_data is not None and request_data.contains_files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mime) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            data = form
        elif request_data is not None and (parameters := request_data.json_parameters):
            data = urlencode(parameters).encode()
            headers = _FORM
        target = self._urls.get(url)
        if target is None:
            target = self._urls[url] = yarl.URL(url)
        try:
            async with self._session.request(
                method,
                target,
                data=data,
                headers=headers,
                timeout=self._timeout(read_timeout, connect_timeout, pool_timeout),
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        if status == 429:
            metrics.flood_limited(body)
        return status, body
