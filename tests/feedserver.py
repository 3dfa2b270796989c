"""A small HTTP server on 127.0.0.1 serving feeds to the poller, good ones and bad ones.

Each path has a Route: a body with its status and headers, and the ways a real server goes
wrong: answering late, trickling the body, redirecting, leaving out Content-Length. ETag and
Last-Modified make it answer 304 to a matching conditional GET. Every request is recorded.

In a test::

    async with FeedServer() as server:
        server.route("/a.xml", body=b"...", etag='"v1"')
        url = server.url("/a.xml")

For benchmarks it also runs as its own process (so serving does not count against the bot's
event loop), serving the files of a directory: ``python -m tests.feedserver DIR`` prints the
base URL and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
RSS = "application/rss+xml; charset=utf-8"
_REASONS = {
    200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 404: "Not Found",
    429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str | None = RSS
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before the status line
    trickle: float | None = None  # seconds between body chunks of 16 bytes
    location: str | None = None  # a redirect target (status 302 unless given)
    chunked: bool = False  # no Content-Length: the body streams until the connection closes


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]  # lower-case names


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.directory: Path | None = None
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> FeedServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, **options: object) -> Route:
        route = Route(**options)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def fixture(self, path: str, name: str, **options: object) -> Route:
        """Serve tests/fixtures/feeds/<name> at `path`."""
        return self.route(path, body=(FIXTURES / name).read_bytes(), **options)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def _lookup(self, path: str) -> Route | None:
        route = self.routes.get(path)
        if route is None and self.directory is not None:
            file = (self.directory / path.lstrip("/")).resolve()
            if file.is_relative_to(self.directory) and file.is_file():
                route = Route(body=file.read_bytes(), etag=f'"{file.stat().st_mtime_ns}"')
        return route

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._answer(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; True when the connection may serve another."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        _, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        self.requests.append(Request(path, headers))
        route = self._lookup(path)
        if route is None:
            route = Route(status=404, body=b"<html><body>Not found</body></html>",
                          content_type="text/html")  # fmt: skip
        if route.delay:
            await asyncio.sleep(route.delay)
        status, body = route.status, route.body
        extra = dict(route.headers)
        if route.location is not None:
            status = status if 300 <= status < 400 else 302
            extra["Location"] = route.location
        if route.etag:
            extra["ETag"] = route.etag
        if route.last_modified:
            extra["Last-Modified"] = route.last_modified
        # As RFC 9110 says: If-None-Match, when sent, decides alone.
        if "if-none-match" in headers:
            fresh = route.etag is not None and headers["if-none-match"] == route.etag
        else:
            fresh = route.last_modified is not None and (
                headers.get("if-modified-since") == route.last_modified
            )
        if fresh:
            status, body = 304, b""
        if route.content_type and status != 304:
            extra["Content-Type"] = route.content_type
        keep_alive = not route.chunked and route.trickle is None
        if keep_alive:
            extra["Content-Length"] = str(len(body))
        extra["Connection"] = "keep-alive" if keep_alive else "close"
        reason = _REASONS.get(status, "Status")
        out = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in extra.items())
        writer.write(out.encode("latin-1") + b"\r\n")
        if route.trickle is None:
            writer.write(body)
            await writer.drain()
        else:
            for start in range(0, len(body), 16):
                writer.write(body[start : start + 16])
                await writer.drain()
                await asyncio.sleep(route.trickle)
        return keep_alive


async def _serve(directory: Path) -> None:
    async with FeedServer() as server:
        server.directory = directory
        print(server.url(""), flush=True)
        loop = asyncio.get_running_loop()
        done = asyncio.Event()
        loop.add_reader(sys.stdin.fileno(), done.set)  # EOF on stdin: the parent has gone
        await done.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a directory of feeds on 127.0.0.1.")
    parser.add_argument("directory", type=Path)
    asyncio.run(_serve(parser.parse_args().directory.resolve()))


if __name__ == "__main__":
    main()
