"""What the admin screens share: their buttons, local times, pages, delivery lines, bars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.admin import flow
from bot.i18n import Html, Texts
from storage.models import DeliveryCounts, ErrorCount

BAR_WIDTH = 10
FROM_CARD = "card"  # a delivery button pressed on a post's card returns to the card

UPDATES = callbacks.Buttons(
    flow.PREFIX, ("page", "open", "edit", "withdraw", "gone"), area="u", command="/updates"
)
BROADCASTS = callbacks.Buttons(
    flow.PREFIX, ("list", "pause", "resume", "cancel", "stop"), area="b", command="/broadcasts"
)
AUDIT = callbacks.Buttons(flow.PREFIX, ("page",), area="a", command="/audit")

T = TypeVar("T")


def when(texts: Texts, iso: str, timezone: ZoneInfo) -> str:
    """A stored UTC timestamp as the admin's local date and time."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return texts.datetime(moment.astimezone(timezone))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, newest first: its number (kept within 1..pages) and its items."""

    number: int
    pages: int
    items: tuple[T, ...]


def page_of(total: int, per_page: int, page: int) -> tuple[int, int]:
    """(the page asked for, kept within the list; how many pages there are, at least one)."""
    pages = max(1, -(-total // per_page))
    return min(max(page, 1), pages), pages


async def read_page(
    count: Callable[[], Awaitable[int]],
    recent: Callable[[int, int], Awaitable[list[T]]],
    per_page: int,
    page: int,
) -> Page[T]:
    """A page of a list read with its repository's `count()` and `recent(limit, offset)`:
    two statements, whatever the page holds."""
    number, pages = page_of(await count(), per_page, page)
    return Page(number, pages, tuple(await recent(per_page, (number - 1) * per_page)))


def rows(
    *parts: InlineKeyboardMarkup | list[list[InlineKeyboardButton]] | None,
) -> InlineKeyboardMarkup:
    """One keyboard of these keyboards' and these lists' rows, in order."""
    found: list[list[InlineKeyboardButton]] = []
    for part in parts:
        if isinstance(part, InlineKeyboardMarkup):
            found += [list(row) for row in part.inline_keyboard]
        elif part:
            found += part
    return InlineKeyboardMarkup(found)


def chunks(buttons: list[InlineKeyboardButton], size: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + size] for i in range(0, len(buttons), size)]


def delivery_line(texts: Texts, counts: DeliveryCounts) -> Html:
    return texts(
        "admin.delivery.line",
        sent=counts.sent,
        waiting=counts.pending,
        paused=counts.paused,
        failed=counts.failed,
        skipped=counts.skipped,
        cancelled=counts.cancelled,
    )


def errors_line(errors: Iterable[ErrorCount]) -> str:
    return "; ".join(f"{e.error or '?'} ×{e.count}" for e in errors)


def bar(done: int, total: int) -> str:
    """`▰▰▰▱▱▱▱▱▱▱`: `done` of `total`, in BAR_WIDTH cells (full when there is nothing)."""
    filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)
