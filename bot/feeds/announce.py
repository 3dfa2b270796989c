"""One poll's new items as an announcement: per-language Telegram HTML, safe to send.

The poller hands each poll's new relevant items to an injected `Announce` callable; the
composition root wires it to the outbox:

    texts = render_announcement(items, settings.timezone)
    await publish(store, Announcement("feed", texts, article_id=items[0].article_id))

Feed text reaches users only as escaped plain text (text.plain_text already dropped the
markup and scripts), links only as http(s) URLs in an attribute we build ourselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.i18n import LANGUAGES, Html, Texts, link, texts_for

SUMMARY_LIMIT = 300  # characters of an item's text in the announcement
BUDGET = 3500  # characters per announcement, under Telegram's 4096 with room for the footer
DEFAULT_TIMEZONE = ZoneInfo("Asia/Almaty")


@dataclass(frozen=True, slots=True)
class NewItem:
    """A feed item that has just entered the news store."""

    article_id: int
    feed_id: int
    source: str  # the feed's title, else its host
    title: str
    summary: str  # plain text
    url: str | None
    published: dt.datetime  # aware UTC
    language: str


Announce = Callable[[Sequence[NewItem]], Awaitable[None]]


def shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–—") + "…"


def render_item(texts: Texts, item: NewItem, timezone: ZoneInfo = DEFAULT_TIMEZONE) -> Html:
    title = link(item.url, item.title) if item.url else item.title
    note = ""
    if item.language != texts.language:
        note = " " + texts("feeds.language_note", language=item.language.upper())
    return texts(
        "feeds.announce.item.html",
        title=title,
        # On its own line when there is one; an untitled item's text already is its title.
        summary="\n" + shorten(item.summary) if item.summary not in ("", item.title) else "",
        source=item.source,
        date=texts.date(item.published.astimezone(timezone).date()),
        note=Html(note),
    )


def render(texts: Texts, items: Sequence[NewItem], timezone: ZoneInfo = DEFAULT_TIMEZONE) -> Html:
    """Newest first, as many as fit the budget; the rest counted, pointing to /news."""
    ordered = sorted(items, key=lambda i: (i.published, i.article_id), reverse=True)
    parts = [texts.plural("feeds.announce.title.html", len(ordered))]
    size = len(parts[0])
    shown = 0
    for item in ordered:
        block = render_item(texts, item, timezone)
        if shown and size + len(block) > BUDGET:
            break
        parts.append(block)
        size += len(block) + 2
        shown += 1
    if shown < len(ordered):
        parts.append(texts.plural("feeds.announce.more", len(ordered) - shown))
    return Html("\n\n".join(parts))


def render_announcement(
    items: Sequence[NewItem], timezone: ZoneInfo = DEFAULT_TIMEZONE
) -> dict[str, Html]:
    """The announcement of one poll's items in every language, for Announcement.texts."""
    return {language: render(texts_for(language), items, timezone) for language in LANGUAGES}


def warm_up() -> None:
    """Render once in every language at start-up: Babel reads its locale data on first use,
    tens of milliseconds that would otherwise stall the event loop inside the first poll."""
    sample = NewItem(0, 0, "", "", "", None, dt.datetime(2025, 12, 2, tzinfo=dt.UTC), "ru")
    render_announcement([sample])
