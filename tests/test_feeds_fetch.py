"""Compressed feed bodies: decoded in bounded steps, so gzip bombs cost the cap, not their size."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import textwrap
import zlib
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path

import pytest

from bot.config import FeedOptions
from bot.feeds.errors import FeedError, Problem
from bot.feeds.fetch import Fetched, Fetcher
from bot.feeds.inflate import STEP, Inflater
from tests.feedgen import rss
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parent.parent
FEED = rss("gz", 3)
BOMB_SIZE = 256 * 1024 * 1024  # inflated; about 250 KiB on the wire


@cache
def gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return b"".join(parts) + packer.flush()


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


def _deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip.compress(FEED)),
        ("gzip", gzip.compress(FEED[:100]) + gzip.compress(FEED[100:])),  # two members
        ("deflate", _deflate(FEED, zlib.MAX_WBITS)),
        ("deflate", _deflate(FEED, -zlib.MAX_WBITS)),  # raw deflate under the same name
        ("identity", FEED),
    ],
)
async def test_compressed_bodies_are_decoded(server: FeedServer, coding: str, body: bytes) -> None:
    server.route("/f.xml", body=body, headers={"Content-Encoding": coding})
    fetcher = Fetcher(FeedOptions(timeout=2))
    try:
        fetched = await fetcher.fetch(server.url("/f.xml"))
    finally:
        await fetcher.aclose()
    assert isinstance(fetched, Fetched) and fetched.body == FEED
    assert server.requests_to("/f.xml")[0].headers["accept-encoding"] == "gzip, deflate"


async def test_a_bad_or_unknown_coding_is_no_feed(server: FeedServer) -> None:
    server.route("/bad.xml", body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    server.route("/br.xml", body=b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    fetcher = Fetcher(FeedOptions(timeout=2))
    try:
        for path in ("/bad.xml", "/br.xml"):
            with pytest.raises(FeedError) as caught:
                await fetcher.fetch(server.url(path))
            assert caught.value.problem is Problem.NOT_A_FEED
    finally:
        await fetcher.aclose()


def test_each_step_yields_at_most_one_step_of_output() -> None:
    inflater = Inflater("gzip")
    bomb = gzip_bomb()
    pieces = 0
    for piece in inflater.feed(bomb[:65536]):
        assert len(piece) <= STEP
        pieces += 1
        if pieces == 100:
            break
    assert pieces == 100  # a 64 KiB read of the bomb is far more than one step


async def test_a_gzip_bomb_is_abandoned_at_the_cap(server: FeedServer) -> None:
    server.route("/bomb.xml", body=gzip_bomb(), headers={"Content-Encoding": "gzip"})
    fetcher = Fetcher(FeedOptions(timeout=10, max_bytes=1024 * 1024))
    try:
        with pytest.raises(FeedError) as caught:
            await fetcher.fetch(server.url("/bomb.xml"))
    finally:
        await fetcher.aclose()
    assert caught.value.problem is Problem.TOO_LARGE


# Runs in a fresh interpreter so its peak RSS is the fetcher's alone (the server stays here).
_FETCH_THREE = textwrap.dedent(
    """
    import asyncio, json, sys
    from bot.config import FeedOptions
    from bot.feeds.errors import FeedError
    from bot.feeds.fetch import Fetcher

    async def main(urls):
        fetcher = Fetcher(FeedOptions(timeout=60))
        results = await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)
        await fetcher.aclose()
        return [r.problem if isinstance(r, FeedError) else repr(r) for r in results]

    problems = asyncio.run(main(sys.argv[1:]))
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the forking
    # parent (pytest), while VmHWM is this program's own peak.
    status = open("/proc/self/status").read()
    peak_kib = int(status.split("VmHWM:")[1].split()[0])
    print(json.dumps({"problems": problems, "peak_mib": peak_kib / 1024}))
    """
)


async def test_three_gzip_bombs_at_once_keep_peak_memory_under_120_mb(server: FeedServer) -> None:
    for name in ("a", "b", "c"):
        server.route(f"/{name}.xml", body=gzip_bomb(), headers={"Content-Encoding": "gzip"})
    urls = [server.url(f"/{name}.xml") for name in ("a", "b", "c")]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _FETCH_THREE,
        *urls,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    assert result["problems"] == ["too_large"] * 3  # with the default 5 MiB cap
    assert result["peak_mib"] < 120, result  # ~300 MB when httpx inflated each read whole
