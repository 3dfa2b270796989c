"""/broadcasts: the updates still being delivered, with their progress and pause / resume /
cancel buttons; and the question before cancelling one."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.admin import channels as channel_screens
from bot.admin.screens import Screen, button
from bot.admin.views.common import BROADCASTS, FROM_CARD, UPDATES, bar, delivery_line, when
from bot.i18n import Html, Texts
from storage import Store
from storage.channels import ChannelCounts
from storage.models import DeliveryCounts, UpdateProgress

BROADCASTS_SHOWN = 8


@dataclass(frozen=True)
class Broadcast:
    """An update still being delivered, and how many of the channels it goes to have it."""

    update: UpdateProgress
    channels: ChannelCounts


async def read_broadcasts(store: Store) -> tuple[Broadcast, ...]:
    """The newest updates with deliveries still to go: two statements, however many."""
    running = await store.outbox.unfinished_progress(BROADCASTS_SHOWN)
    reached = await store.channels.counts_of([update.id for update in running])
    nowhere = ChannelCounts(sent=0, total=0)
    return tuple(Broadcast(update, reached.get(update.id, nowhere)) for update in running)


def broadcast_buttons(
    texts: Texts, update_id: int, counts: DeliveryCounts, origin: str = ""
) -> list[list[InlineKeyboardButton]]:
    """Pause, resume and cancel, as far as the update's deliveries allow (none when done)."""

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


def render_broadcasts(texts: Texts, shown: tuple[Broadcast, ...], timezone: ZoneInfo) -> Screen:
    """Each update's progress bar and counts, its buttons, and Refresh."""
    refresh = [[button(texts.plain("admin.button.refresh"), BROADCASTS.data("list"))]]
    if not shown:
        return texts("admin.broadcasts.none"), InlineKeyboardMarkup(refresh)
    blocks: list[str] = [texts("admin.broadcasts.title.html")]
    keyboard: list[list[InlineKeyboardButton]] = []
    for broadcast in shown:
        update, counts = broadcast.update, broadcast.update.counts
        done = counts.sent + counts.failed + counts.skipped
        total = counts.total - counts.cancelled
        percent = round(100 * done / total) if total else 100
        lines = [
            texts(
                "admin.broadcasts.item.html",
                number=update.id,
                kind=texts.plain(f"admin.kind.{update.kind}"),
                when=when(texts, update.created_at, timezone),
            ),
            f"<code>{bar(done, total)}</code> {percent}%",
            delivery_line(texts, counts),
        ]
        channels = channel_screens.broadcast_line(texts, broadcast.channels)
        if channels:
            lines.append(channels)
        blocks.append("\n".join(lines))
        keyboard += broadcast_buttons(texts, update.id, counts)
    return Html("\n\n".join(blocks)), InlineKeyboardMarkup(keyboard + refresh)


async def broadcasts(store: Store, texts: Texts, timezone: ZoneInfo) -> Screen:
    """Updates still being delivered: progress, and pause / resume / cancel for each."""
    return render_broadcasts(texts, await read_broadcasts(store), timezone)


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
