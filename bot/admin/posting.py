"""Publishing an admin's post, correcting it, withdrawing it.

A post is stored as ordinary content (an article per language for /news, a milestone for
/status and /timeline when it is one) and announced through bot.delivery.publishing, which
queues one
delivery per subscriber in their mode. What the admin typed is kept (storage.posts) so the
post can be corrected later; a correction re-renders it, and the messages already delivered
are fixed by bot.admin.corrections.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.admin.drafts import Draft, host
from bot.admin.formatting import to_plain
from bot.content import progress_bar
from bot.delivery.publishing import Announcement, pick_language, publish, render_update
from bot.i18n import LANGUAGES, Html, link, texts_for
from storage import Store
from storage.models import ChatState, Mode, Post
from storage.posts import article_key, milestone_key

log = logging.getLogger(__name__)

TITLE_LIMIT = 120
SUMMARY_LIMIT = 400  # a milestone's text on /status and /timeline: the post's first paragraph
SETTLE_SECONDS = 10.0  # how long a correction waits for sends already on their way


def link_html(url: str) -> Html:
    """`<a href="…">gov.kz</a>`: a source link named by its site."""
    return link(url, host(url))


def render(draft: Draft) -> dict[str, str]:
    """The update as subscribers read it, per language the admin wrote: the milestone's
    heading, the admin's text with its formatting, the source link."""
    rendered: dict[str, str] = {}
    for language in LANGUAGES:
        body = draft.texts.get(language)
        if body is None:
            continue
        texts = texts_for(language)
        blocks: list[str] = []
        if draft.milestone and draft.stage is not None and draft.happened_on is not None:
            blocks.append(
                texts(
                    "admin.update.milestone.html",
                    stage=texts(f"stage.{draft.stage}"),
                    bar=progress_bar(draft.stage),
                    date=texts.date(draft.happened_on),
                    place=draft.place(language),
                )
            )
        blocks.append(body.strip())
        if draft.link:
            blocks.append(texts("admin.update.source.html", link=link_html(draft.link)))
        rendered[language] = "\n\n".join(blocks)
    return rendered


def _title(plain: str) -> str:
    first = next((line.strip() for line in plain.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_LIMIT else first[: TITLE_LIMIT - 1].rstrip() + "…"


def _summary(plain: str) -> str:
    first = plain.strip().split("\n\n")[0].strip()
    return first if len(first) <= SUMMARY_LIMIT else first[: SUMMARY_LIMIT - 1].rstrip() + "…"


async def _store_content(
    store: Store, draft: Draft, token: str, bot_name: str, published_at: str
) -> tuple[int | None, int | None]:
    """Write (or rewrite) the post's articles and milestone; returns (article_id, milestone_id).

    Their source is the link's site, or the bot itself when the admin gave no link.
    """
    source = host(draft.link) if draft.link else bot_name
    article_ids: dict[str, int] = {}
    for language, body in draft.texts.items():
        plain = to_plain(body)
        article_id = await store.articles.save_admin(
            key=article_key(token, language),
            source=source,
            url=draft.link,
            language=language,
            title=_title(plain),
            body=plain,
            published_at=published_at,
        )
        if article_id is None:  # the news store has this very text already
            article_id = await store.articles.id_of(article_key(token, language))
        if article_id is not None:
            article_ids[language] = article_id
    article_id = article_ids[pick_language(article_ids, "ru")] if article_ids else None
    milestone_id = None
    if draft.milestone and draft.stage is not None and draft.happened_on is not None:
        milestone_id = await store.milestones.upsert_keyed(
            key=milestone_key(token),
            stage=draft.stage,
            happened_on=draft.happened_on,
            article_id=article_id,
            source=source,
            url=draft.link,
            texts={  # a language without a text keeps its own place (its text is another's)
                language: (draft.place(language), _summary(to_plain(draft.texts.get(language, ""))))
                for language in draft.languages()
            },
        )
    return article_id, milestone_id


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
    article_id, milestone_id = await _store_content(store, draft, token, bot_name, now)
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
            await _store_content(store, draft, post.token, bot_name, post.created_at)
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
