"""What /feeds shows and does for admins: the feeds with their health (each under its stable
id, the one logs use), adding and removing, and the items kept out of the last rounds with a
button to let each in.

A screen is read at once (storage.feeds.FeedsOverview), then drawn by a `render_` function
that only formats that data: drawing reads and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.admin import flow
from bot.feeds.announce import shorten
from bot.feeds.links import host, web_link
from bot.i18n import Html, Texts, escape, link
from storage import Store
from storage.feeds import FeedsOverview, KeptOut, Removal
from storage.models import Feed

URL_LIMIT = 2000
KEPT_OUT_SHOWN = 10  # the most recent items kept out, listed under the feeds
BUTTONS_PER_ROW = 5
LET_IN_TITLE = 100  # a let-in item's title in the audit log and the note
# "Let in" under a kept-out item: adm:k.in.<kept id>
KEPT = callbacks.Buttons(flow.PREFIX, ("in",), area="k", command="/feeds let in")


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


def render_listing(texts: Texts, feeds: Sequence[Feed], timezone: ZoneInfo) -> Html:
    """The feeds, each under its id with its health."""
    if not feeds:
        return texts("feeds.list.empty.html")
    parts = [texts.plural("feeds.list.title.html", len(feeds))]
    for feed in feeds:
        head = texts(
            "feeds.list.feed.html",
            number=feed.id,  # stable: removing a feed does not renumber the others
            link=_link(feed),
            origin=texts(f"feeds.origin.{feed.origin}"),
        )
        parts.append(Html(head + "\n" + health(texts, feed, timezone)))
    return Html("\n\n".join(parts))


async def listing(store: Store, texts: Texts, timezone: ZoneInfo) -> Html:
    """The feeds with their health (also under /stats), read in one query."""
    return render_listing(texts, await store.feeds.active(), timezone)


def let_in_data(kept_id: int) -> str:
    return KEPT.data("in", kept_id)


def _kept_line(texts: Texts, number: int, kept: KeptOut) -> Html:
    item = kept.item
    title = shorten(item.title, 200)
    return texts(
        "feeds.kept.item.html",
        number=number,
        title=link(item.url, title) if item.url else title,
        feed=kept.feed_id,
        reason=texts(f"feeds.rule.{item.rule}"),
        rule=item.rule,
    )


def render_kept_out(
    texts: Texts, items: Sequence[KeptOut]
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The items kept out of the last rounds, each with its reason and a "let in" button."""
    if not items:
        return texts("feeds.kept.none"), None
    lines = [texts("feeds.kept.title.html")]
    buttons = []
    for number, kept in enumerate(items, start=1):
        lines.append(_kept_line(texts, number, kept))
        label = texts.plain("feeds.kept.button", number=number)
        buttons.append(InlineKeyboardButton(label, callback_data=let_in_data(kept.id)))
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


def render_overview(
    texts: Texts, shown: FeedsOverview, timezone: ZoneInfo
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """What plain /feeds shows: the feeds' health, then the items kept out."""
    feeds = render_listing(texts, shown.feeds, timezone)
    kept, keyboard = render_kept_out(texts, shown.kept_out)
    return Html(f"{feeds}\n\n{kept}"), keyboard


async def overview(
    store: Store, texts: Texts, timezone: ZoneInfo
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """/feeds: read once (a query for the feeds, one for the items kept out), then rendered."""
    return render_overview(texts, await store.feeds.overview(KEPT_OUT_SHOWN), timezone)


def clean_url(raw: str) -> str | None:
    url = web_link(raw)
    return url if url is not None and len(url) <= URL_LIMIT else None


async def add(store: Store, texts: Texts, raw: str, admin_id: int) -> tuple[Html, bool]:
    """`/feeds add URL`: the reply, and whether a feed was added (audited if so)."""
    url = clean_url(raw)
    if url is None:
        return texts("feeds.bad_url", url=raw[:200]), False
    if not await store.feeds.add(url, admin_id, dt.datetime.now(dt.UTC)):
        return texts("feeds.exists", url=url), False
    await store.audit.record(admin_id, "feed.added", raw[:200])
    return texts("feeds.added", url=url), True


async def remove(store: Store, texts: Texts, raw: str, admin_id: int) -> Html:
    """`/feeds remove URL` or `/feeds remove #3` (the number /feeds shows): the reply; the
    attempt is audited whatever it found."""
    url = raw.strip()
    if (number := url.removeprefix("#")).isdigit():
        feed = await store.feeds.get(int(number))
        url = feed.url if feed else url
    outcome = await store.feeds.remove(url)
    await store.audit.record(admin_id, "feed.removed", raw[:200])
    key = {
        Removal.REMOVED: "feeds.removed",
        Removal.MISSING: "feeds.not_found",
        Removal.CONFIGURED: "feeds.configured",
    }[outcome]
    return texts(key, url=url[:200])


class LetsIn(Protocol):
    """What publishes a kept-out item (bot.feeds.poller's poller)."""

    async def let_in(self, kept_id: int, admin_id: int) -> KeptOut | None: ...


async def let_in(
    store: Store, poller: LetsIn | None, kept_id: int | None, admin_id: int
) -> KeptOut | None:
    """An admin's "let in": the item is published as news, and audited. None for an item
    that is unknown or already let in (or no poller runs)."""
    kept = await poller.let_in(kept_id, admin_id) if poller and kept_id is not None else None
    if kept is not None:
        title = shorten(kept.item.title, LET_IN_TITLE)
        rule = f"rule={kept.item.rule}"
        await store.audit.record(admin_id, "feed.let_in", f"#{kept.feed_id} {title}", rule)
    return kept


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
