"""Changing a published post: correcting it, or withdrawing it.

A correction re-renders the post; the deliveries not sent yet go out corrected and the
messages already delivered are queued to be fixed (bot.admin.corrections). A withdrawal
stops the deliveries, takes the post off /news, /status and /timeline and queues the
delivered messages to become a note that it was withdrawn.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.admin.drafts import Draft
from bot.admin.post_content import render, store_content
from bot.delivery.publishing import render_update
from bot.i18n import LANGUAGES, texts_for
from storage import Store
from storage.models import Post
from storage.posts import article_key, milestone_key

log = logging.getLogger(__name__)

SETTLE_SECONDS = 10.0  # how long a correction waits for sends already on their way


async def correct(
    store: Store,
    post: Post,
    draft: Draft,
    admin_id: int,
    bot_name: str,
    *,
    in_flight: Callable[[], int] | None = None,
    now: float | None = None,
) -> int | None:
    """Save the corrected post; rows not sent yet go out corrected. Returns how many
    delivered messages are queued to be fixed (bot.admin.corrections), or None when the post
    was withdrawn meanwhile (by another admin, say).

    The update's waiting deliveries are held while its texts change (unless an admin paused
    it, then they stay paused), and the sends already on their way are waited for, so every
    message queued to be fixed carries the old text and every later one the new.
    """
    update_id = post.update_id
    async with _editing(update_id):
        current = await store.posts.get(update_id)
        if current is None or current.withdrawn:
            return None
        counts = await store.outbox.counts(update_id)
        held = counts.paused == 0 and await store.outbox.pause(update_id) > 0
        try:
            old = await store.outbox.update(update_id)
            new = render(draft)
            same = unchanged(old.texts if old is not None else {}, new)
            await store_content(store, draft, post.token, bot_name, post.created_at)
            await store.outbox.set_texts(update_id, new)
            await store.posts.edit(
                update_id,
                edited_by=admin_id,
                stage=draft.stage if draft.milestone else None,
                happened_on=draft.happened_on if draft.milestone else None,
                source_url=draft.link,
                texts=draft.post_texts(),
            )
            await _settle(in_flight)
            delivered = await store.corrections.queue(update_id, admin_id, unchanged=same)
        finally:
            if held:
                await store.outbox.resume(update_id, now)
    await store.audit.record(admin_id, "post.edited", f"#{update_id}", f"delivered={delivered}")
    return delivered


def unchanged(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """The reader languages whose message reads the same after a correction (a reader of a
    language the post lacks reads another one's text, with a note)."""
    if not old:
        return []
    return [lang for lang in LANGUAGES if render_update(old, lang) == render_update(new, lang)]


async def to_fix(store: Store, update_id: int, draft: Draft) -> int:
    """How many delivered messages saving `draft` over the post would fix."""
    old = await store.outbox.update(update_id)
    same = unchanged(old.texts if old is not None else {}, render(draft))
    return await store.corrections.count_changed(update_id, same)


_locks: dict[int, asyncio.Lock] = {}


def _editing(update_id: int) -> asyncio.Lock:
    """One change at a time per post: a correction and a withdrawal by two admins at once
    would each undo half of the other."""
    return _locks.setdefault(update_id, asyncio.Lock())


async def _settle(in_flight: Callable[[], int] | None) -> None:
    """Wait (a little) until no send is on its way: one begun before the hold may still be
    recorded as sent, with the old text."""
    deadline = time.monotonic() + SETTLE_SECONDS
    # The worker offers no event for "nothing in flight"; this polls for at most SETTLE_SECONDS.
    while in_flight is not None and in_flight() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


@dataclass(frozen=True)
class Withdrawal:
    cancelled: int  # deliveries that will not go out
    delivered: int  # messages already out, queued to be marked withdrawn


async def withdraw(
    store: Store, post: Post, admin_id: int, *, in_flight: Callable[[], int] | None = None
) -> Withdrawal | None:
    """Stop the post's deliveries, take it off /news, /status and /timeline, and queue the
    messages already delivered to become a note that it was withdrawn (as a correction is:
    bot.admin.corrections); audited. None if it was withdrawn already.

    All of it is one transaction, so a crash leaves the post either as it was or withdrawn
    with its messages queued; the sends on their way meanwhile are queued after them.
    """
    update_id = post.update_id
    async with _editing(update_id):
        async with store.db.transaction():
            cancelled = await store.outbox.cancel(update_id)
            if not await store.posts.withdraw(update_id, admin_id):
                return None
            if post.kind == "milestone":  # first: it names the article as its source
                await store.milestones.delete_keyed(milestone_key(post.token))
            await store.articles.delete_keyed(article_key(post.token, lang) for lang in LANGUAGES)
            await store.outbox.set_texts(
                update_id,
                {lang: texts_for(lang)("admin.withdrawn_note.html") for lang in LANGUAGES},
            )
            delivered = await store.corrections.queue(update_id, admin_id, cut_short=True)
        await _settle(in_flight)
        delivered += await store.corrections.queue(update_id, admin_id, renew=False, cut_short=True)
    await store.audit.record(
        admin_id,
        "post.withdrawn",
        f"#{update_id}",
        f"cancelled={cancelled} delivered={delivered}",
    )
    log.info("admin %s withdrew update %s (%s cancelled)", admin_id, update_id, cancelled)
    return Withdrawal(cancelled, delivered)
