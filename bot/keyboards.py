"""Inline keyboards, their labels from the catalogue and their data from bot.callbacks."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import LANGUAGE_NAMES, Texts


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


def pager(texts: Texts, prefix: str, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """◀ / ▶ buttons for a paged list; None when everything fits on one page."""
    if pages <= 1:
        return None
    row = []
    if page > 1:
        row.append(
            InlineKeyboardButton(
                texts.plain("button.previous"), callback_data=callbacks.make(prefix, page - 1)
            )
        )
    if page < pages:
        row.append(
            InlineKeyboardButton(
                texts.plain("button.next"), callback_data=callbacks.make(prefix, page + 1)
            )
        )
    return InlineKeyboardMarkup([row])
