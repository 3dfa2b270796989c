"""What /updates, /stats, /broadcasts and /audit show admins, with their buttons."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, keyboards
from bot.admin import channels as channel_screens
from bot.admin import flow
from bot.admin.formatting import to_plain
from bot.admin.posting import link_html
from bot.admin.screens import Screen, button
from bot.admin.state import FeedHealth
from bot.content import progress_bar
from bot.delivery.publishing import pick_language
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, escape
from storage import Store
from storage.models import (
    ChatState,
    DeliveryCounts,
    ErrorCount,
    FinishedCorrection,
    Mode,
    Post,
)

POSTS_PER_PAGE = 5
AUDIT_PER_PAGE = 10
BROADCASTS_SHOWN = 8
STATS_UPDATES = 5
SNIPPET = 70
CARD_TEXT = 1500
BAR_WIDTH = 10
FROM_CARD = "card"  # a delivery button pressed on a post's card returns to the card

UPDATES = callbacks.Buttons(
    flow.PREFIX, ("page", "open", "edit", "withdraw", "gone"), area="u", command="/updates"
)
BROADCASTS = callbacks.Buttons(
    flow.PREFIX, ("list", "pause", "resume", "cancel", "stop"), area="b", command="/broadcasts"
)
AUDIT = callbacks.Buttons(flow.PREFIX, ("page",), area="a", command="/audit")


def when(texts: Texts, iso: str, timezone: ZoneInfo) -> str:
    """A stored UTC timestamp as the admin's local date and time."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return texts.datetime(moment.astimezone(timezone))


def _pages(total: int, per_page: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // per_page))
    return min(max(page, 1), pages), pages


def _rows(
    *parts: InlineKeyboardMarkup | list[list[InlineKeyboardButton]] | None,
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for part in parts:
        if isinstance(part, InlineKeyboardMarkup):
            rows += [list(row) for row in part.inline_keyboard]
        elif part:
            rows += part
    return InlineKeyboardMarkup(rows)


def _chunks(buttons: list[InlineKeyboardButton], size: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + size] for i in range(0, len(buttons), size)]


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


def _delivery_line(texts: Texts, counts: DeliveryCounts) -> Html:
    return texts(
        "admin.delivery.line",
        sent=counts.sent,
        waiting=counts.pending,
        paused=counts.paused,
        failed=counts.failed,
        skipped=counts.skipped,
        cancelled=counts.cancelled,
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


# ---------------------------------------------------------------------- /updates


async def updates_page(store: Store, texts: Texts, timezone: ZoneInfo, page: int = 1) -> Screen:
    """Admins' posts, newest first, each with how its delivery went; a button opens one."""
    total = await store.posts.count()
    if total == 0:
        return texts("admin.updates.none"), None
    page, pages = _pages(total, POSTS_PER_PAGE, page)
    posts = await store.posts.recent(POSTS_PER_PAGE, (page - 1) * POSTS_PER_PAGE)
    blocks: list[str] = [texts("admin.updates.title.html", page=page, pages=pages)]
    for post in posts:
        if post.withdrawn_at:
            status = texts("admin.updates.withdrawn", when=when(texts, post.withdrawn_at, timezone))
        else:
            status = _delivery_line(texts, await store.outbox.counts(post.update_id))
        blocks.append(
            f"{_heading(texts, post, timezone)}\n{escape(_snippet(texts, post))}\n{status}"
        )
    opens = [button(f"#{p.update_id}", UPDATES.data("open", p.update_id)) for p in posts]
    pager = keyboards.pager(texts, flow.PREFIX, page, pages, lambda n: UPDATES.data("page", n))
    return Html("\n\n".join(blocks)), _rows(_chunks(opens, 5), pager)


async def post_card(
    store: Store, texts: Texts, timezone: ZoneInfo, update_id: int
) -> Screen | None:
    """One post: what it says, when and by whom, its delivery; edit, withdraw, pause."""
    post = await store.posts.get(update_id)
    if post is None:
        return None
    counts = await store.outbox.counts(update_id)
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
    lines.append(_delivery_line(texts, counts))
    errors = await store.outbox.common_errors(update_id, 3)
    if errors:
        lines.append(texts("admin.errors", errors=_errors(errors)))
    # Plain and cut: the card is edited in place, and an edit cannot be split like a reply.
    language = pick_language(post.texts, texts.language)
    body = escape(_snippet(texts, post, CARD_TEXT))
    lines.append(f"<b>{LANGUAGE_NAMES[language]}</b>\n{body}")
    rows: list[list[InlineKeyboardButton]] = []
    if not post.withdrawn:
        rows.append(
            [
                button(texts.plain("admin.button.edit"), UPDATES.data("edit", update_id)),
                button(texts.plain("admin.button.withdraw"), UPDATES.data("withdraw", update_id)),
            ]
        )
        rows += _broadcast_buttons(texts, update_id, counts, FROM_CARD)
    rows.append([button(texts.plain("admin.button.posts"), UPDATES.data("page", 1))])
    return Html("\n".join(lines[:-1]) + "\n\n" + lines[-1]), InlineKeyboardMarkup(rows)


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


def _errors(errors: Iterable[ErrorCount]) -> str:
    return "; ".join(f"{e.error or '?'} ×{e.count}" for e in errors)


# ---------------------------------------------------------------------- /stats


async def stats(
    store: Store, texts: Texts, timezone: ZoneInfo, feed_health: FeedHealth | None
) -> Html:
    """Subscribers by state, language and mode; the latest updates' delivery; feed health."""
    census = await store.chats.census()
    states: Counter[ChatState] = Counter()
    languages: Counter[str] = Counter()
    modes: Counter[Mode] = Counter()
    unsubscribed = 0
    for row in census:
        if row.mode is Mode.OFF:
            unsubscribed += row.count
            continue
        states[row.state] += row.count
        if row.state is ChatState.ACTIVE:
            languages[row.language] += row.count
            modes[row.mode] += row.count
    blocks = [
        texts("admin.stats.title.html"),
        "\n".join(
            [
                texts(
                    "admin.stats.subscribers.html",
                    active=states[ChatState.ACTIVE],
                    blocked=states[ChatState.BLOCKED],
                    gone=states[ChatState.GONE],
                ),
                texts(
                    "admin.stats.languages",
                    list=" · ".join(
                        f"{LANGUAGE_NAMES[lang]} {languages[lang]}" for lang in LANGUAGES
                    ),
                ),
                texts(
                    "admin.stats.modes",
                    list=" · ".join(
                        f"{texts.plain(f'admin.mode.{mode.value}')} {modes[mode]}"
                        for mode in (Mode.INSTANT, Mode.DAILY, Mode.WEEKLY)
                    ),
                ),
                texts("admin.stats.unsubscribed", count=unsubscribed),
            ]
        ),
    ]
    latest = await store.outbox.latest(STATS_UPDATES)
    lines = [texts("admin.stats.updates.html")]
    if not latest:
        lines.append(texts("admin.stats.no_updates"))
    for update in latest:
        counts = await store.outbox.counts(update.id)
        lines.append(
            texts(
                "admin.stats.update",
                number=update.id,
                kind=texts.plain(f"admin.kind.{update.kind}"),
                when=when(texts, update.created_at, timezone),
                queued=counts.pending + counts.paused,
                sent=counts.sent,
                failed=counts.failed,
            )
        )
        errors = await store.outbox.common_errors(update.id, 3)
        if errors:
            lines.append(texts("admin.errors", errors=_errors(errors)))
    blocks.append("\n".join(lines))
    if feed_health is not None:
        feeds = await feed_health(texts)
        if feeds:
            blocks.append(f"{texts('admin.stats.feeds.html')}\n{feeds}")
    return Html("\n\n".join(blocks))


# ---------------------------------------------------------------------- /broadcasts


def _broadcast_buttons(
    texts: Texts, update_id: int, counts: DeliveryCounts, origin: str = ""
) -> list[list[InlineKeyboardButton]]:
    def make(key: str, verb: str) -> InlineKeyboardButton:
        return button(texts.plain(key, number=update_id), BROADCASTS.data(verb, update_id, origin))

    row = []
    if counts.pending:
        row.append(make("admin.button.pause", "pause"))
    if counts.paused:
        row.append(make("admin.button.resume", "resume"))
    if counts.pending or counts.paused:
        row.append(make("admin.button.stop", "cancel"))
    return [row] if row else []


def _bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


async def broadcasts(store: Store, texts: Texts, timezone: ZoneInfo) -> Screen:
    """Updates still being delivered: progress, and pause / resume / cancel for each."""
    refresh = [[button(texts.plain("admin.button.refresh"), BROADCASTS.data("list"))]]
    running = await store.outbox.unfinished(BROADCASTS_SHOWN)
    if not running:
        return texts("admin.broadcasts.none"), InlineKeyboardMarkup(refresh)
    blocks: list[str] = [texts("admin.broadcasts.title.html")]
    rows: list[list[InlineKeyboardButton]] = []
    for update_id in running:
        update = await store.outbox.update(update_id)
        counts = await store.outbox.counts(update_id)
        if update is None:
            continue
        done = counts.sent + counts.failed + counts.skipped
        total = counts.total - counts.cancelled
        percent = round(100 * done / total) if total else 100
        blocks.append(
            "\n".join(
                [
                    texts(
                        "admin.broadcasts.item.html",
                        number=update_id,
                        kind=texts.plain(f"admin.kind.{update.kind}"),
                        when=when(texts, update.created_at, timezone),
                    ),
                    f"<code>{_bar(done, total)}</code> {percent}%",
                    _delivery_line(texts, counts),
                    *filter(None, [await channel_screens.broadcast_line(store, texts, update_id)]),
                ]
            )
        )
        rows += _broadcast_buttons(texts, update_id, counts)
    return Html("\n\n".join(blocks)), InlineKeyboardMarkup(rows + refresh)


def cancel_question(
    texts: Texts, update_id: int, counts: DeliveryCounts, origin: str = ""
) -> Screen:
    waiting = counts.pending + counts.paused
    text = texts("admin.broadcasts.cancel_ask.html", number=update_id, waiting=waiting)
    back = UPDATES.data("open", update_id) if origin == FROM_CARD else BROADCASTS.data("list")
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(
                    texts.plain("admin.button.stop_yes"), BROADCASTS.data("stop", update_id, origin)
                ),
                button(texts.plain("admin.button.no"), back),
            ]
        ]
    )
    return text, keyboard


# ---------------------------------------------------------------------- /audit


async def audit_page(store: Store, texts: Texts, timezone: ZoneInfo, page: int = 1) -> Screen:
    """The audit log, newest first, a page at a time."""
    total = await store.audit.count()
    if total == 0:
        return texts("admin.audit.none"), None
    page, pages = _pages(total, AUDIT_PER_PAGE, page)
    entries = await store.audit.recent(AUDIT_PER_PAGE, (page - 1) * AUDIT_PER_PAGE)
    lines = [texts("admin.audit.title.html", page=page, pages=pages)]
    for entry in entries:
        lines.append(
            texts(
                "admin.audit.item.html",
                when=when(texts, entry.at, timezone),
                user=entry.user_id,
                action=texts.plain(f"admin.audit.action.{entry.action}"),
                subject=entry.subject,
            )
        )
        if entry.detail:
            lines.append(texts("admin.audit.detail.html", detail=entry.detail))
    pager = keyboards.pager(texts, flow.PREFIX, page, pages, lambda n: AUDIT.data("page", n))
    return Html("\n".join(lines)), pager
