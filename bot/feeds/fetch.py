"""Fetching one feed over HTTP: conditional GET, one deadline, a size cap, bounded redirects.

httpx's own timeouts apply per network operation, so a server trickling a byte a second would
never trip them; the whole request, redirects and body included, also runs under one deadline.
The body is read raw and decompressed here in bounded steps (bot/feeds/inflate.py), abandoned
as soon as the decoded size passes the cap: a gzip bomb costs at most the cap plus one step.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from bot.config import FeedOptions
from bot.feeds.errors import FeedError, Problem, http_error
from bot.feeds.inflate import ACCEPT_ENCODING, Inflater

USER_AGENT = "visatalks/0.1 (Telegram bot following the EU-Kazakhstan visa talks)"
# What feedparser reads from the response headers: the charset and the base for relative links.
_PASSED_HEADERS = ("content-type", "content-language", "content-location")


@dataclass(frozen=True)
class NotModified:
    """304: the validators we sent still match; nothing to parse."""


@dataclass(frozen=True)
class Fetched:
    body: bytes
    headers: dict[str, str]  # lower-case names, for feedparser
    url: str  # where the body came from, after redirects
    etag: str | None
    last_modified: str | None


class Fetcher:
    """One shared HTTP client for all feeds (connection reuse); close it with `aclose`."""

    def __init__(
        self, options: FeedOptions, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.options = options
        self.client = httpx.AsyncClient(
            headers={
                "User-Agent": USER_AGENT,
                "Accept": _ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(options.timeout),
            follow_redirects=True,
            max_redirects=options.max_redirects,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            # Feeds are fetched directly; proxy variables meant for other tools are not ours.
            trust_env=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched | NotModified:
        """The feed's bytes, or NotModified; raises FeedError or an httpx/timeout error."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with asyncio.timeout(self.options.timeout):
            return await self._get(url, headers)

    async def _get(self, url: str, headers: dict[str, str]) -> Fetched | NotModified:
        async with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code == httpx.codes.NOT_MODIFIED:
                return NotModified()
            if response.status_code >= 400:
                raise http_error(
                    response.status_code,
                    response.reason_phrase,
                    response.headers.get("retry-after"),
                )
            cap = self.options.max_bytes
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FeedError(Problem.TOO_LARGE, f"Content-Length {declared} > {cap}")
            # Read raw: httpx would inflate a whole read at once, before any check could run.
            inflater = Inflater(response.headers.get("content-encoding", ""))
            body = bytearray()
            async for raw in response.aiter_raw():
                for piece in inflater.feed(raw):
                    body += piece
                    if len(body) > cap:
                        raise FeedError(Problem.TOO_LARGE, f"more than {cap} bytes")
            body += inflater.finish()
            if len(body) > cap:
                raise FeedError(Problem.TOO_LARGE, f"more than {cap} bytes")
            if not body.strip():
                raise FeedError(Problem.EMPTY, f"HTTP {response.status_code}, no body")
            passed = {
                name: response.headers[name] for name in _PASSED_HEADERS if name in response.headers
            }
            passed.setdefault("content-location", str(response.url))
            return Fetched(
                body=bytes(body),
                headers=passed,
                url=str(response.url),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )


_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
