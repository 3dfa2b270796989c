"""Sending an admin's post: who it goes to (the preview's count), and storing and queueing it.

A post is stored as ordinary content (bot.admin.post_content: an article per language for
/news, a milestone for /status and /timeline when it is one) and announced through
bot.delivery.publishing, which queues one delivery per subscriber in their mode. What the
admin typed is kept (storage.posts) so the post can be corrected or withdrawn later
(bot.admin.post_changes; their names are importable from here too).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from bot.admin.drafts import Draft
from bot.admin.post_changes import Withdrawal, correct, to_fix, unchanged, withdraw
from bot.admin.post_content import link_html, render, store_content
from bot.delivery.publishing import Announcement, publish
from storage import Store
from storage.models import ChatState, Mode

__all__ = [
    "Audience",
    "Sent",
    "Withdrawal",
    "audience",
    "correct",
    "link_html",
    "render",
    "send",
    "to_fix",
    "unchanged",
    "withdraw",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Audience:
    """Who a post goes to: subscribed chats that can be written to, by how they get updates."""

    instant: int
    digest: int

    @property
    def total(self) -> int:
        return self.instant + self.digest


async def audience(store: Store) -> Audience:
    instant = digest = 0
    for row in await store.chats.census():
        if row.state is not ChatState.ACTIVE or row.mode is Mode.OFF:
            continue
        if row.mode is Mode.INSTANT:
            instant += row.count
        else:
            digest += row.count
    return Audience(instant, digest)


@dataclass(frozen=True)
class Sent:
    update_id: int
    queued: int


async def send(store: Store, draft: Draft, admin_id: int, bot_name: str) -> Sent:
    """Store the post and queue it for every subscriber; audited."""
    assert draft.kind is not None and draft.texts, "the preview is only offered for a full draft"
    token = secrets.token_hex(6)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    article_id, milestone_id = await store_content(store, draft, token, bot_name, now)
    published = await publish(
        store,
        Announcement(
            draft.kind,
            render(draft),
            article_id=article_id,
            milestone_id=milestone_id,
            created_by=admin_id,
        ),
    )
    await store.posts.save(
        update_id=published.update_id,
        token=token,
        stage=draft.stage if draft.milestone else None,
        happened_on=draft.happened_on if draft.milestone else None,
        source_url=draft.link,
        texts=draft.post_texts(),
    )
    detail = f"kind={draft.kind} languages={','.join(draft.texts)} queued={published.queued}" + (
        f" stage={draft.stage} date={draft.happened_on}" if draft.milestone else ""
    )
    await store.audit.record(admin_id, "post.sent", f"#{published.update_id}", detail)
    log.info("admin %s posted update %s (%s)", admin_id, published.update_id, detail)
    return Sent(published.update_id, published.queued)
