"""Reading a fetched feed: feedparser in a worker process, then entries cleaned and judged.

Everything CPU-bound about a feed happens in `read_feed`, which `parse` runs off the event loop:
feedparser itself, HTML cleaning, dedupe keys, the relevance check and language detection.
The loop only ever sees the finished, plain-text `Entry` objects.

feedparser is pure Python. In a thread it held the GIL against the event loop, so a poll cycle
cost the sum of both and stalled the loop; worker processes parse on the other cores while the
loop fetches and stores (bench/feeds.py on 2 cores, 50 feeds of 200 entries: a cycle took
11.1 s with a thread, 6.2 s with two processes).

feedparser gets the body as bytes together with the response headers, so the charset of the
Content-Type header is honoured (RFC 3023) even when the XML declaration says nothing.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import hashlib
import multiprocessing
import os
import re
import signal
import threading
import time
import xml.sax
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import feedparser

from bot.feeds.errors import FeedError, Problem
from bot.feeds.links import normalise_link, web_link
from bot.feeds.relevance import Decision, Judge

# Feeds parsed at once, each in its own process of about 30 MB (started at the first parse).
PARSE_WORKERS = max(1, min(2, os.cpu_count() or 1))
PARENT_CHECK_SECONDS = 2.0
BODY_LIMIT = 20_000  # characters of an entry's text kept in the news store
TITLE_LIMIT = 500
_KEY_LIMIT = 300  # longer identities are stored as their hash

# Elements whose content is never text for a reader.
_DROPPED = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math",
     "head", "title", "form", "select", "textarea", "button"}
)  # fmt: skip
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "section", "article", "header", "footer", "figure", "figcaption", "hr", "pre"}
)  # fmt: skip
_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e]")
_LANGUAGE_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed item, cleaned: plain text only, an http(s) link or none."""

    key: str  # identity within its feed: guid, else normalised link, else content hash
    guid: str | None
    link: str | None
    title: str
    summary: str
    published: dt.datetime  # aware UTC; never later than the fetch; the fetch time if undated
    dated: bool
    language: str
    decision: Decision  # about the talks or not, and the rule that decided

    @property
    def relevant(self) -> bool:
        return self.decision.relevant


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: tuple[Entry, ...]
    unusable: int  # entries with nothing to identify or show them by
    warning: FeedError | None  # broken XML that the lenient parser still read


_pool: ProcessPoolExecutor | None = None


def _workers() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the bot's process has threads (aiosqlite's, the executor's own).
        _pool = ProcessPoolExecutor(
            PARSE_WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_follow_parent,
            initargs=(os.getpid(),),
        )
    return _pool


def _follow_parent(parent: int) -> None:
    """In a worker: stop with the bot, not on its own.

    Ctrl-C and systemd's SIGTERM reach the whole process group; the bot finishes what it is
    doing and, exiting, lets its workers go, so a worker ignores them rather than fail a
    parse in flight. A worker waiting for work does not notice a SIGKILLed parent by itself,
    so it watches for that and exits.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def stop_workers(pool: ProcessPoolExecutor | None = None) -> None:
    """Let the worker processes go (they start again on the next parse); with `pool`, only if
    that is still the current one."""
    global _pool
    if _pool is not None and pool in (None, _pool):
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


async def parse(
    body: bytes, headers: Mapping[str, str], now: dt.datetime, judge: Judge
) -> ParsedFeed:
    """`read_feed` in a worker process. A worker that dies fails the checks being parsed at
    that moment (the pool breaks as a whole); the next parse starts new workers."""
    loop = asyncio.get_running_loop()
    pool = _workers()
    try:
        return await loop.run_in_executor(pool, read_feed, body, dict(headers), now, judge)
    except BrokenProcessPool as exc:
        stop_workers(pool)
        raise FeedError(Problem.INTERNAL, "the parsing process died") from exc


def read_feed(
    body: bytes, headers: Mapping[str, str], now: dt.datetime, judge: Judge
) -> ParsedFeed:
    """Parse and clean a feed; raises FeedError when it is no feed or unreadable."""
    # Its sanitiser and URI rewriting work on entry HTML, which plain_text drops anyway; off,
    # they save a third of the parse. Entry links are still resolved against the feed's URL.
    result = feedparser.parse(
        body, response_headers=dict(headers), sanitize_html=False, resolve_relative_uris=False
    )
    raw_entries: list[Any] = list(result.get("entries", ()))
    version = result.get("version", "")
    broken = result.get("bozo") and isinstance(result.get("bozo_exception"), xml.sax.SAXException)
    feed_info = result.get("feed", {})
    feed_language = _language_code(feed_info.get("language"))

    entries: list[Entry] = []
    keys: set[str] = set()
    unusable = 0
    for raw in raw_entries:
        entry = _entry(raw, now, feed_language, judge)
        if entry is None:
            unusable += 1
        elif entry.key not in keys:  # the same item twice in one document counts once
            keys.add(entry.key)
            entries.append(entry)

    detail = str(result.get("bozo_exception", ""))
    if not version and not entries:
        raise FeedError(Problem.NOT_A_FEED, detail or headers.get("content-type", ""))
    warning = None
    if broken:
        if not entries:
            raise FeedError(Problem.MALFORMED, detail)
        warning = FeedError(Problem.MALFORMED_RECOVERED, detail)
    title = plain_text(feed_info.get("title", ""))[:TITLE_LIMIT] or None
    return ParsedFeed(title, tuple(entries), unusable, warning)


def _entry(raw: Any, now: dt.datetime, feed_language: str | None, judge: Judge) -> Entry | None:
    title = _one_line(plain_text(raw.get("title", "")))[:TITLE_LIMIT]
    summary = plain_text(_body_html(raw))[:BODY_LIMIT]
    link = web_link(raw.get("link"))
    guid = (raw.get("id") or "").strip() or None
    # dict.get, not raw.get: feedparser's own get maps updated <-> published with a warning.
    raw_date = dict.get(raw, "published") or dict.get(raw, "updated") or ""
    key = _key(guid, link, title, summary, raw_date)
    if key is None or not (title or summary):
        return None
    published = _date(dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed"))
    text = f"{title}\n{summary}"
    declared = _language_code(
        (raw.get("title_detail") or {}).get("language")
        or (raw.get("summary_detail") or {}).get("language")
    )
    return Entry(
        key=key,
        guid=guid,
        link=link,
        title=title or _one_line(summary)[:120],
        summary=summary,
        published=min(published, now) if published else now,
        dated=published is not None,
        language=detect_language(text, declared or feed_language),
        decision=judge(title, summary),
    )


def _body_html(raw: Any) -> str:
    summary = raw.get("summary") or ""
    if summary:
        return str(summary)
    content = raw.get("content") or []
    return str(content[0].get("value", "")) if content else ""


def _key(guid: str | None, link: str | None, title: str, summary: str, raw_date: str) -> str | None:
    """guid, else normalised link, else a hash of title and date (of the text if untitled)."""
    if guid:
        as_link = normalise_link(guid)
        key = f"l:{as_link}" if as_link else f"g:{guid}"
    elif link:
        key = f"l:{normalise_link(link)}"
    elif title or summary:
        basis = f"{title}\n{raw_date}" if title else f"{summary}\n{raw_date}"
        return "h:" + hashlib.sha256(basis.encode()).hexdigest()[:32]
    else:
        return None
    if len(key) > _KEY_LIMIT:
        key = key[:2] + hashlib.sha256(key.encode()).hexdigest()[:32]
    return key


def _date(value: time.struct_time | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _language_code(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    base = re.split(r"[-_]", value.strip().lower())[0]
    base = _LANGUAGE_ALIASES.get(base, base)
    return base if base in ("kk", "ru", "en") else None


def detect_language(text: str, declared: str | None) -> str:
    """kk / ru / en: the script decides for Cyrillic text (Kazakh has its own letters, and feeds
    often declare one language for all their items); otherwise the declared one, else by script.
    """
    cyrillic = latin = kazakh = 0
    for char in text:
        if char in _KAZAKH_LETTERS:
            kazakh += 1
            cyrillic += 1
        elif "\u0400" <= char <= "\u04ff":
            cyrillic += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    if cyrillic and cyrillic >= latin:
        return "kk" if kazakh >= max(1, cyrillic // 100) else "ru"
    if declared:
        return declared
    return "en" if latin else "ru"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _TextExtractor(HTMLParser):
    """Text of an HTML fragment: tags gone, dropped elements' content gone, blocks on new lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def plain_text(fragment: str) -> str:
    """An HTML (or plain) fragment as plain text: paragraphs kept, everything else flattened."""
    if not fragment:
        return ""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    joined = _CONTROL.sub("", "".join(parser.parts))
    lines = (" ".join(line.split()) for line in joined.splitlines())
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
