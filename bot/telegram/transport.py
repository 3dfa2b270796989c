"""The connection to Telegram for everything but getUpdates: several small pools, not one big one.

httpcore walks every connection of its pool twice per request (asking the socket whether the
server closed it), so the CPU a request costs grows with the pool. A paid broadcast keeps
about 128 sends in flight (Telegram's round trip is ~100 ms); in one pool of 128 that walk
costs more than the send itself. Shards of a few connections each keep the walk short, and
each request goes to the least busy shard.

Each shard is an httpcore connection pool used directly, not through an httpx client: at a
thousand sends a second httpx's request and response objects (URL merging, cookies, header
models, decoders, the byte-stream wrappers) cost about as much CPU as the HTTP exchange
itself, and the bot needs none of it. PTB still turns the status and body into results and
errors (BaseRequest.post); this class only moves bytes. The rare request with a file, and
every request when a proxy is configured in the environment (httpx honours HTTPS_PROXY and
the like), go through PTB's HTTPXRequest as before.

An aiohttp BaseRequest (C parser, one pool) was measured against this on a paid broadcast and
cost no less CPU: bench.compare_transports reruns that comparison.
"""

from __future__ import annotations

import math
import select
import socket
import ssl
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import httpcore
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.ops import metrics
from bot.telegram.ptb_private import DefaultValue, ODVInput

CONNECTIONS_PER_SHARD = 8
# HTTPXRequest's defaults, and httpx's keep-alive expiry.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
KEEPALIVE_SECONDS = 5.0
_FORM = b"application/x-www-form-urlencoded"
_POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)


def _proxy_configured() -> bool:
    """httpx would route through a proxy from the environment (HTTPS_PROXY, ALL_PROXY...)."""
    return any(key in ("http", "https", "all") for key in urllib.request.getproxies())


def _given(value: ODVInput[float], default: float) -> float | None:
    """The caller's timeout, or ours where PTB passes its DEFAULT_NONE."""
    return default if isinstance(value, DefaultValue) else value


def _readable(sock: socket.socket | None) -> bool:
    """Data (or the server's close) waits on the socket; a closed socket counts as readable."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's anyio stream, but "is the idle connection readable?" asks the socket directly.

    The pool asks that of its idle connections at the start and the end of every request,
    and anyio answers it by building all of a socket's attributes (its peer's address among
    them, a system call) to hand out one: about a tenth of the bot's CPU at full pace.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109 (httpcore's signature)
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109 (httpcore's signature)
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(
            await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class ShardedRequest(BaseRequest):
    """Up to `connections` requests at once, spread over pools of CONNECTIONS_PER_SHARD."""

    def __init__(self, connections: int) -> None:
        shards = max(1, math.ceil(connections / CONNECTIONS_PER_SHARD))
        self._busy = [0] * shards
        self._direct = not _proxy_configured()
        self._headers = [(b"Accept", b"*/*"), (b"User-Agent", self.USER_AGENT.encode())]
        self._urls: dict[str, httpcore.URL] = {}
        self._pools: list[httpcore.AsyncConnectionPool] = []
        self._httpx: list[HTTPXRequest] = []  # the fallback: files, or a proxy
        if not self._direct:
            self._httpx = [
                HTTPXRequest(connection_pool_size=CONNECTIONS_PER_SHARD) for _ in range(shards)
            ]

    @property
    def in_flight(self) -> tuple[int, ...]:
        """Requests under way, per shard."""
        return tuple(self._busy)

    @property
    def read_timeout(self) -> float | None:
        return READ_TIMEOUT

    def _new_pools(self) -> list[httpcore.AsyncConnectionPool]:
        ssl_context = httpx.create_ssl_context()  # certifi, as httpx verifies; one for all
        backend = _Backend()
        return [
            httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=CONNECTIONS_PER_SHARD,
                keepalive_expiry=KEEPALIVE_SECONDS,
                network_backend=backend,
            )
            for _ in self._busy
        ]

    def _fallback(self, index: int) -> HTTPXRequest:
        if not self._httpx:
            self._httpx = [
                HTTPXRequest(connection_pool_size=CONNECTIONS_PER_SHARD) for _ in self._busy
            ]
        return self._httpx[index]

    async def initialize(self) -> None:
        if self._direct and not self._pools:
            self._pools = self._new_pools()
        for shard in self._httpx:
            await shard.initialize()

    async def shutdown(self) -> None:
        pools, self._pools = self._pools, []
        for pool in pools:
            await pool.aclose()
        for shard in self._httpx:
            await shard.shutdown()

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
        index = self._busy.index(min(self._busy))
        self._busy[index] += 1
        try:
            if not self._direct or (request_data is not None and request_data.contains_files):
                return await self._fallback(index).do_request(
                    url, method, request_data, read_timeout, write_timeout, connect_timeout,
                    pool_timeout,
                )  # fmt: skip
            return await self._exchange(
                index, url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        finally:
            self._busy[index] -= 1

    async def _exchange(
        self,
        index: int,
        url: str,
        method: str,
        request_data: RequestData | None,
        read_timeout: ODVInput[float],
        write_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
        pool_timeout: ODVInput[float],
    ) -> tuple[int, bytes]:
        if not self._pools:
            raise RuntimeError("This ShardedRequest is not initialized!")
        target = self._urls.get(url)
        if target is None:
            target = self._urls[url] = httpcore.URL(url)
        headers = [*self._headers]  # httpcore appends Host and Content-Length to it
        content = None
        if request_data is not None and (parameters := request_data.json_parameters):
            # What httpx sends for `data=`: the JSON-encoded values, form-encoded.
            content = urlencode(parameters).encode()
            headers.append((b"Content-Type", _FORM))
        timeouts = {
            "connect": _given(connect_timeout, CONNECT_TIMEOUT),
            "read": _given(read_timeout, READ_TIMEOUT),
            "write": _given(write_timeout, WRITE_TIMEOUT),
            "pool": _given(pool_timeout, POOL_TIMEOUT),
        }
        try:
            response = await self._pools[index].request(
                method, target, headers=headers, content=content, extensions={"timeout": timeouts}
            )
        except httpcore.PoolTimeout as err:
            raise TimedOut(message=_POOL_TIMEOUT_MESSAGE) from err
        except httpcore.TimeoutException as err:
            raise TimedOut from err
        except (
            httpcore.NetworkError,
            httpcore.ProtocolError,
            httpcore.ProxyError,
            httpcore.UnsupportedProtocol,
        ) as err:
            raise NetworkError(f"httpcore.{err.__class__.__name__}: {err}") from err
        if response.status == 429:
            metrics.flood_limited(response.content)
        return response.status, response.content
