"""Inline keyboards, their labels from the catalogue; the public buttons' declarations
(bot.callbacks), which build their data here and parse it in the handlers."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from babel.dates import get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Texts
from storage.models import Mode

# lang:<code>, the /lang keyboard's
LANGUAGE = callbacks.Values("lang", choices=LANGUAGES)
# sub:on (the welcome's), sub:<mode>, then sub:d.<hour>, sub:w.<weekday>, sub:w.<weekday>.<hour>
SUBSCRIPTION = callbacks.Buttons("sub", ("on", *(mode.value for mode in Mode), "d", "w"))
# menu:<command>, the welcome's
MENU = callbacks.Buttons("menu", ("lang", "status", "facts"))
# facts:<page>, news:<page>
FACTS_PAGES = callbacks.Values("facts", numbers=(1, 1))
NEWS_PAGES = callbacks.Values("news", numbers=(1, 1))
# qa:<language>.<fact id>..., "more" under an answer (older replies may carry more ids)
MORE = callbacks.Values("qa", choices=LANGUAGES, numbers=(1, None))
PAGES = {FACTS_PAGES.prefix: FACTS_PAGES, NEWS_PAGES.prefix: NEWS_PAGES}


def languages(current: str) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + name, callback_data=LANGUAGE.data(code)
        )
        for code, name in LANGUAGE_NAMES.items()
    ]
    return InlineKeyboardMarkup([row])


def welcome(texts: Texts, subscribed: bool) -> InlineKeyboardMarkup:
    first = (
        InlineKeyboardButton(
            texts.plain("button.unsubscribe"), callback_data=SUBSCRIPTION.data("off")
        )
        if subscribed
        else InlineKeyboardButton(
            texts.plain("button.subscribe"), callback_data=SUBSCRIPTION.data("on")
        )
    )
    return InlineKeyboardMarkup(
        [
            [
                first,
                InlineKeyboardButton(
                    texts.plain("button.language"), callback_data=MENU.data("lang")
                ),
            ],
            [
                InlineKeyboardButton(
                    texts.plain("button.status"), callback_data=MENU.data("status")
                ),
                InlineKeyboardButton(texts.plain("button.facts"), callback_data=MENU.data("facts")),
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

    A button sends `data(page)`, by default that of the page buttons declared for `prefix`.
    """
    if pages <= 1:
        return None
    make = data or PAGES[prefix].data
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
            callback_data=SUBSCRIPTION.data(mode.value),
        )

    rows = [[button(Mode.INSTANT)], [button(Mode.DAILY), button(Mode.WEEKLY)]]
    last = []
    if current is not Mode.OFF:
        last.append(button(Mode.OFF))
    if language:
        last.append(
            InlineKeyboardButton(texts.plain("button.language"), callback_data=MENU.data("lang"))
        )
    if last:
        rows.append(last)
    return InlineKeyboardMarkup(rows)


def digest_hours(weekday: int | None = None) -> InlineKeyboardMarkup:
    """24 hour buttons, 00:00 to 23:00; each sends `sub:d.<hour>`, or `sub:w.<weekday>.<hour>`
    with a weekday."""
    stem = ("d",) if weekday is None else ("w", weekday)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(f"{hour:02d}:00", callback_data=SUBSCRIPTION.data(*stem, hour))
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
            str(names[day]).capitalize(), callback_data=SUBSCRIPTION.data("w", day)
        )
        for day in range(7)
    ]
    return InlineKeyboardMarkup([buttons[:4], buttons[4:]])


def more_row(texts: Texts, fact_ids: Sequence[int]) -> list[list[InlineKeyboardButton]]:
    """ "More": the facts a reply left out to fit one screen, in the reply's language (no row
    when none were)."""
    if not fact_ids:
        return []
    label = texts.plain("qa.more.button")
    # As many of the facts as Telegram's 64 bytes of data hold, in the reply's order.
    for count in range(len(fact_ids), 0, -1):
        with contextlib.suppress(ValueError):  # too long for the data
            data = MORE.data(texts.language, *fact_ids[:count])
            return [[InlineKeyboardButton(label, callback_data=data)]]
    return []
