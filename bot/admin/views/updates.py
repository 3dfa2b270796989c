"""/updates: the admins' posts a page at a time, a post's card, the question before
withdrawing one, and the report of a finished correction."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import keyboards
from bot.admin import flow
from bot.admin.formatting import to_plain
from bot.admin.posting import link_html
from bot.admin.screens import Screen, button
from bot.admin.views.broadcasts import broadcast_buttons
from bot.admin.views.common import (
    FROM_CARD,
    UPDATES,
    Page,
    chunks,
    delivery_line,
    errors_line,
    read_page,
    rows,
    when,
)
from bot.content import progress_bar
from bot.delivery.publishing import pick_language
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, escape
from storage import Store
from storage.models import DeliveryCounts, FinishedCorrection, Post, UpdateProgress

POSTS_PER_PAGE = 5
CARD_ERRORS = 3
SNIPPET = 70
CARD_TEXT = 1500


@dataclass(frozen=True)
class PostRow:
    """A post as /updates lists it: the post and how its delivery went."""

    post: Post
    counts: DeliveryCounts


@dataclass(frozen=True)
class Card:
    """A post and its delivery, with the most common errors."""

    post: Post
    delivery: UpdateProgress


def open_post_keyboard(texts: Texts, update_id: int) -> InlineKeyboardMarkup:
    label = texts.plain("admin.button.open_post", number=update_id)
    return InlineKeyboardMarkup([[button(label, UPDATES.data("open", update_id))]])


def correction_report(texts: Texts, finished: FinishedCorrection) -> Html:
    outcomes = finished.outcomes
    return texts(
        "admin.withdrawn_marked.html" if finished.withdrawn else "admin.corrected.html",
        number=finished.update_id,
        edited=outcomes.get("edited", 0),
        corrected=outcomes.get("corrected", 0),
        unreachable=outcomes.get("unreachable", 0),
        failed=outcomes.get("failed", 0),
    )


def _snippet(texts: Texts, post: Post, limit: int = SNIPPET) -> str:
    """The post's text in the admin's language (or another), plain, cut at `limit`."""
    language = pick_language(post.texts, texts.language)
    plain = " ".join(to_plain(post.texts[language].body).split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def _heading(texts: Texts, post: Post, timezone: ZoneInfo) -> Html:
    return texts(
        "admin.updates.item.html",
        number=post.update_id,
        kind=texts.plain(f"admin.kind.{post.kind}"),
        when=when(texts, post.created_at, timezone),
        languages=" ".join(lang for lang in LANGUAGES if lang in post.texts),
    )


async def read_updates_page(store: Store, page: int = 1) -> Page[PostRow]:
    """A page of posts with their delivery counts: three statements, however many posts."""
    posts = await read_page(store.posts.count, store.posts.recent, POSTS_PER_PAGE, page)
    progress = await store.outbox.progress([post.update_id for post in posts.items])
    return Page(
        posts.number,
        posts.pages,
        tuple(
            PostRow(post, p.counts if (p := progress.get(post.update_id)) else DeliveryCounts())
            for post in posts.items
        ),
    )


def render_updates_page(texts: Texts, shown: Page[PostRow], timezone: ZoneInfo) -> Screen:
    """Each post's heading, the start of its text and its delivery; a button opens one."""
    if not shown.items:
        return texts("admin.updates.none"), None
    blocks: list[str] = [texts("admin.updates.title.html", page=shown.number, pages=shown.pages)]
    for row in shown.items:
        post = row.post
        if post.withdrawn_at:
            status = texts("admin.updates.withdrawn", when=when(texts, post.withdrawn_at, timezone))
        else:
            status = delivery_line(texts, row.counts)
        blocks.append(
            f"{_heading(texts, post, timezone)}\n{escape(_snippet(texts, post))}\n{status}"
        )
    numbers = [row.post.update_id for row in shown.items]
    opens = [button(f"#{n}", UPDATES.data("open", n)) for n in numbers]
    pager = keyboards.pager(
        texts, flow.PREFIX, shown.number, shown.pages, lambda n: UPDATES.data("page", n)
    )
    return Html("\n\n".join(blocks)), rows(chunks(opens, 5), pager)


async def updates_page(store: Store, texts: Texts, timezone: ZoneInfo, page: int = 1) -> Screen:
    """Admins' posts, newest first, each with how its delivery went; a button opens one."""
    return render_updates_page(texts, await read_updates_page(store, page), timezone)


async def read_card(store: Store, update_id: int) -> Card | None:
    """The post and its delivery with its common errors (three statements); None if no
    such post."""
    post = await store.posts.get(update_id)
    if post is None:
        return None
    progress = await store.outbox.progress([update_id], errors=CARD_ERRORS)
    delivery = progress.get(update_id) or UpdateProgress(
        update_id, post.kind, post.created_at, DeliveryCounts()
    )
    return Card(post, delivery)


def render_card(texts: Texts, card: Card, timezone: ZoneInfo) -> Screen:
    """What the post says, when and by whom, its delivery; edit, withdraw, pause."""
    post, counts, update_id = card.post, card.delivery.counts, card.post.update_id
    lines: list[str] = [_heading(texts, post, timezone)]
    if post.kind == "milestone" and post.stage and post.happened_on:
        lines.append(
            texts(
                "admin.updates.milestone",
                stage=texts(f"stage.{post.stage}"),
                bar=progress_bar(post.stage),
                date=texts.date(post.happened_on),
                place=post.place(texts.language),
            )
        )
    lines.append(texts("admin.updates.author", user=post.created_by or "—"))
    if post.edited_at:
        lines.append(texts("admin.updates.edited", when=when(texts, post.edited_at, timezone)))
    if post.source_url:
        lines.append(texts("admin.updates.source.html", link=link_html(post.source_url)))
    if post.withdrawn_at:
        lines.append(
            texts("admin.updates.withdrawn", when=when(texts, post.withdrawn_at, timezone))
        )
    lines.append(delivery_line(texts, counts))
    if card.delivery.errors:
        lines.append(texts("admin.errors", errors=errors_line(card.delivery.errors)))
    # Plain and cut: the card is edited in place, and an edit cannot be split like a reply.
    language = pick_language(post.texts, texts.language)
    body = escape(_snippet(texts, post, CARD_TEXT))
    lines.append(f"<b>{LANGUAGE_NAMES[language]}</b>\n{body}")
    keyboard: list[list[InlineKeyboardButton]] = []
    if not post.withdrawn:
        keyboard.append(
            [
                button(texts.plain("admin.button.edit"), UPDATES.data("edit", update_id)),
                button(texts.plain("admin.button.withdraw"), UPDATES.data("withdraw", update_id)),
            ]
        )
        keyboard += broadcast_buttons(texts, update_id, counts, FROM_CARD)
    keyboard.append([button(texts.plain("admin.button.posts"), UPDATES.data("page", 1))])
    return Html("\n".join(lines[:-1]) + "\n\n" + lines[-1]), InlineKeyboardMarkup(keyboard)


async def post_card(
    store: Store, texts: Texts, timezone: ZoneInfo, update_id: int
) -> Screen | None:
    """One post: what it says, when and by whom, its delivery; edit, withdraw, pause."""
    card = await read_card(store, update_id)
    return None if card is None else render_card(texts, card, timezone)


def withdraw_question(texts: Texts, post: Post, counts: DeliveryCounts) -> Screen:
    text = texts(
        "admin.withdraw.ask.html",
        number=post.update_id,
        waiting=counts.pending + counts.paused,
        sent=counts.sent,
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(
                    texts.plain("admin.button.withdraw_yes"), UPDATES.data("gone", post.update_id)
                ),
                button(texts.plain("admin.button.no"), UPDATES.data("open", post.update_id)),
            ]
        ]
    )
    return text, keyboard
