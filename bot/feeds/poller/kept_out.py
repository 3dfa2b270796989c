"""An admin lets a kept-out item in: stored as news and announced at once, once only."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.feeds.announce import Announce, NewItem
from bot.feeds.links import display_url, host, normalise_link
from storage import Store
from storage.feeds import KeptOut, iso

log = logging.getLogger(__name__)


async def let_in(
    store: Store, announce: Announce, clock: Callable[[], dt.datetime], kept_id: int, admin_id: int
) -> KeptOut | None:
    """Store and announce the kept-out item `kept_id`; None when it is unknown or already let
    in (a double tap)."""
    kept = await store.feeds.kept_out_item(kept_id)
    if kept is None or kept.let_in_at is not None:
        return None
    item = kept.item
    source = kept.feed_title or host(kept.feed_url)
    async with store.db.transaction():
        link = normalise_link(item.url)
        article_id = await store.articles.add_from_feed(
            key=f"feed:{link}" if link else f"feed:{kept.feed_url}#{item.item_key}",
            source=source,
            url=item.url,
            guid=item.guid,
            language=item.language,
            title=item.title,
            body=item.summary,
            published_at=iso(item.published_at),
        )
        if not await store.feeds.mark_let_in(kept_id, admin_id, article_id, clock()):
            return None
        if article_id is not None:  # else the store had it already (from another feed)
            new = NewItem(
                article_id, kept.feed_id, source, item.title, item.summary, item.url,
                item.published_at, item.language,
            )  # fmt: skip
            await announce([new])
    log.info(
        "feed #%s %s: admin %s let in an item kept out by rule %s",
        kept.feed_id, display_url(kept.feed_url), admin_id, item.rule,
    )  # fmt: skip
    return kept
