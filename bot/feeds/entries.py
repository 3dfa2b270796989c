"""A fetched feed document read into clean entries: feedparser's result, then each item's
text, link, identity, date, language and relevance.

feedparser gets the body as bytes together with the response headers, so the charset of the
Content-Type header is honoured (RFC 3023) even when the XML declaration says nothing.
This runs in a parsing process (bot.feeds.parse); the event loop sees only its result.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import time
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import feedparser

from bot.feeds.errors import FeedError, Problem
from bot.feeds.judgement import Decision, Judge
from bot.feeds.language import detect_language, language_code
from bot.feeds.links import normalise_link, web_link
from bot.feeds.text import one_line, plain_text

BODY_LIMIT = 20_000  # characters of an entry's text kept in the news store
TITLE_LIMIT = 500
_KEY_LIMIT = 300  # longer identities are stored as their hash


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
    feed_language = language_code(feed_info.get("language"))

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
    title = one_line(plain_text(raw.get("title", "")))[:TITLE_LIMIT]
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
    declared = language_code(
        (raw.get("title_detail") or {}).get("language")
        or (raw.get("summary_detail") or {}).get("language")
    )
    return Entry(
        key=key,
        guid=guid,
        link=link,
        title=title or one_line(summary)[:120],
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
