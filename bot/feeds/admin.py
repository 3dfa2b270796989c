"""What /feeds shows and does for admins: the feeds with their health, adding and removing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.feeds.links import host, web_link
from bot.i18n import Html, Texts, escape, link
from storage import Store
from storage.feeds import Removal
from storage.models import Feed

URL_LIMIT = 2000


def _when(texts: Texts, moment: dt.datetime | None, timezone: ZoneInfo) -> str:
    if moment is None:
        return texts.plain("feeds.never")
    return texts.datetime(moment.astimezone(timezone))


def problem_text(texts: Texts, feed: Feed) -> Html:
    """`timeout (ReadTimeout)`: the localised kind, then the technical detail."""
    if feed.last_problem is None:
        return Html("")
    name = texts(f"feeds.problem.{feed.last_problem}")
    return Html(f"{name} ({escape(feed.last_detail)})") if feed.last_detail else name


def _link(feed: Feed) -> Html:
    return link(feed.url, feed.title or host(feed.url))


def health(texts: Texts, feed: Feed, timezone: ZoneInfo) -> Html:
    """Several lines on one feed: checks, items, and its trouble if any."""
    lines = [
        texts(
            "feeds.list.checked",
            when=_when(texts, feed.last_checked_at, timezone),
            next=_when(texts, feed.next_check_at, timezone),
        ),
        texts(
            "feeds.list.items",
            when=_when(texts, feed.last_new_at, timezone),
            stored=feed.items_stored,
            skipped=feed.items_skipped,
        ),
    ]
    if feed.error_count:
        lines.append(
            texts.plural(
                "feeds.list.failing",
                feed.error_count,
                problem=problem_text(texts, feed),
                since=_when(texts, feed.failing_since, timezone),
            )
        )
    elif feed.last_problem:
        lines.append(texts("feeds.list.warning", problem=problem_text(texts, feed)))
    elif feed.last_checked_at is not None:
        lines.append(texts("feeds.list.ok"))
    return Html("\n".join(lines))


async def listing(store: Store, texts: Texts, timezone: ZoneInfo) -> Html:
    feeds = await store.feeds.active()
    if not feeds:
        return texts("feeds.list.empty.html")
    parts = [texts.plural("feeds.list.title.html", len(feeds))]
    for number, feed in enumerate(feeds, start=1):
        head = texts(
            "feeds.list.feed.html",
            number=number,
            link=_link(feed),
            origin=texts(f"feeds.origin.{feed.origin}"),
        )
        parts.append(Html(head + "\n" + health(texts, feed, timezone)))
    return Html("\n\n".join(parts))


def clean_url(raw: str) -> str | None:
    url = web_link(raw)
    return url if url is not None and len(url) <= URL_LIMIT else None


async def add(store: Store, texts: Texts, raw: str, admin_id: int | None) -> tuple[Html, bool]:
    """The reply to `/feeds add URL`, and whether a feed was added."""
    url = clean_url(raw)
    if url is None:
        return texts("feeds.bad_url", url=raw[:200]), False
    if not await store.feeds.add(url, admin_id, dt.datetime.now(dt.UTC)):
        return texts("feeds.exists", url=url), False
    return texts("feeds.added", url=url), True


async def remove(store: Store, texts: Texts, raw: str) -> Html:
    """The reply to `/feeds remove URL`."""
    url = raw.strip()
    outcome = await store.feeds.remove(url)
    key = {
        Removal.REMOVED: "feeds.removed",
        Removal.MISSING: "feeds.not_found",
        Removal.CONFIGURED: "feeds.configured",
    }[outcome]
    return texts(key, url=url[:200])


def alert(texts: Texts, feed: Feed, timezone: ZoneInfo) -> Html:
    """The one message admins get when a feed has failed for a day."""
    return texts.plural(
        "feeds.alert.html",
        feed.error_count,
        url=feed.url,
        problem=problem_text(texts, feed),
        since=_when(texts, feed.failing_since, timezone),
        next=_when(texts, feed.next_check_at, timezone),
    )
