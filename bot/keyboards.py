"""Inline keyboards, their labels from the catalogue and their data from bot.callbacks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from babel.dates import get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import LANGUAGE_NAMES, Texts
from storage.models import Mode


def languages(current: str) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + name, callback_data=callbacks.make("lang", code)
        )
        for code, name in LANGUAGE_NAMES.items()
    ]
    return InlineKeyboardMarkup([row])


def welcome(texts: Texts, subscribed: bool) -> InlineKeyboardMarkup:
    first = (
        InlineKeyboardButton(
            texts.plain("button.unsubscribe"), callback_data=callbacks.make("sub", "off")
        )
        if subscribed
        else InlineKeyboardButton(
            texts.plain("button.subscribe"), callback_data=callbacks.make("sub", "on")
        )
    )
    return InlineKeyboardMarkup(
        [
            [
                first,
                InlineKeyboardButton(
                    texts.plain("button.language"), callback_data=callbacks.make("menu", "lang")
                ),
            ],
            [
                InlineKeyboardButton(
                    texts.plain("button.status"), callback_data=callbacks.make("menu", "status")
                ),
                InlineKeyboardButton(
                    texts.plain("button.facts"), callback_data=callbacks.make("menu", "facts")
                ),
            ],
        ]
    )


def pager(
    texts: Texts,
    prefix: str,
    page: int,
    pages: int,
    data: Callable[[int], str] | None = None,
) -> InlineKeyboardMarkup | None:
    """◀ / ▶ buttons for a paged list; None when everything fits on one page.

    A button sends `prefix:<page>`, or `data(page)` when given.
    """
    if pages <= 1:
        return None
    make = data or (lambda number: callbacks.make(prefix, number))
    row = []
    if page > 1:
        row.append(
            InlineKeyboardButton(texts.plain("button.previous"), callback_data=make(page - 1))
        )
    if page < pages:
        row.append(InlineKeyboardButton(texts.plain("button.next"), callback_data=make(page + 1)))
    return InlineKeyboardMarkup([row])


def subscription_modes(
    texts: Texts, current: Mode, *, language: bool = False
) -> InlineKeyboardMarkup:
    """Instantly / daily / weekly (the current one ticked), unsubscribe, optionally language."""

    def button(mode: Mode) -> InlineKeyboardButton:
        label = texts.plain(f"delivery.button.{mode.value}")
        return InlineKeyboardButton(
            ("✓ " if mode is current else "") + label,
            callback_data=callbacks.make("sub", mode.value),
        )

    rows = [[button(Mode.INSTANT)], [button(Mode.DAILY), button(Mode.WEEKLY)]]
    last = []
    if current is not Mode.OFF:
        last.append(button(Mode.OFF))
    if language:
        last.append(
            InlineKeyboardButton(
                texts.plain("button.language"), callback_data=callbacks.make("menu", "lang")
            )
        )
    if last:
        rows.append(last)
    return InlineKeyboardMarkup(rows)


def digest_hours(stem: str) -> InlineKeyboardMarkup:
    """24 hour buttons, 00:00 to 23:00; each sends `sub:<stem>.<hour>`."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{hour:02d}:00", callback_data=callbacks.make("sub", f"{stem}.{hour}")
                )
                for hour in range(row, row + 6)
            ]
            for row in range(0, 24, 6)
        ]
    )


def weekdays(language: str) -> InlineKeyboardMarkup:
    """Monday to Sunday in the chat's language; each sends `sub:w.<weekday>` (0 = Monday)."""
    names = get_day_names("wide", locale=language)
    buttons = [
        InlineKeyboardButton(
            str(names[day]).capitalize(), callback_data=callbacks.make("sub", f"w.{day}")
        )
        for day in range(7)
    ]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:]])


def more_row(texts: Texts, fact_ids: Sequence[int]) -> list[list[InlineKeyboardButton]]:
    """ "More": the facts a reply left out to fit one screen, in the reply's language (no row
    when none were)."""
    if not fact_ids:
        return []
    argument = ".".join([texts.language, *map(str, fact_ids)])
    label = texts.plain("qa.more.button")
    return [[InlineKeyboardButton(label, callback_data=callbacks.make("qa", argument))]]
