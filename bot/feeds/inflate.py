"""Decompressing a response body in bounded steps, so a gzip bomb costs the cap, not its size.

httpx decodes each chunk it reads whole: a 64 KiB read of a gzip bomb inflates to ~67 MB before
any size check can see it. Here the raw bytes go through zlib with a limit on each call's
output (`STEP`); the reader counts what comes out and gives up as soon as it passes its cap, so
at most the cap plus one step is ever held.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from bot.feeds.errors import FeedError, Problem

STEP = 64 * 1024  # bytes of output per decompression call
# What we ask for: the two codings zlib reads (httpx would add br/zstd if their packages were
# installed, and those we could not bound the same way).
ACCEPT_ENCODING = "gzip, deflate"
_GZIP_MAGIC = b"\x1f\x8b"


class Inflater:
    """Feed it raw chunks; it yields the decoded bytes in pieces of at most `STEP`."""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FeedError(Problem.NOT_A_FEED, f"Content-Encoding {content_encoding[:50]}")
        self.coding = codings[0] if codings else None
        self._zlib = self._new()
        self._first = True  # deflate: zlib-wrapped or raw, decided by the first bytes

    def _new(self) -> zlib._Decompress | None:
        if self.coding is None:
            return None
        if self.coding == "deflate":
            return zlib.decompressobj()
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            for start in range(0, len(data), STEP):
                yield data[start : start + STEP]
            return
        try:
            yield from self._inflate(data)
        except zlib.error as exc:
            raise FeedError(Problem.NOT_A_FEED, f"{self.coding} body: {exc}") from exc

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        if self._first and self.coding == "deflate" and data:
            self._first = False
            try:  # Some servers send raw deflate under this name; httpx reads both too.
                zlib.decompressobj().decompress(data[:2])
            except zlib.error:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        while data:
            decoder = self._zlib
            assert decoder is not None
            if decoder.eof:
                # A second gzip member follows; anything else after the end is ignored.
                if self.coding == "deflate" or not data.startswith(_GZIP_MAGIC):
                    return
                self._zlib = decoder = self._new()
                assert decoder is not None
            out = decoder.decompress(data, STEP)
            data = decoder.unconsumed_tail or (decoder.unused_data if decoder.eof else b"")
            if out:
                yield out

    def finish(self) -> bytes:
        """What zlib still holds at the end of the body (at most its 32 KiB window)."""
        if self._zlib is None or self._zlib.eof:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error as exc:
            raise FeedError(Problem.NOT_A_FEED, f"{self.coding} body: {exc}") from exc
