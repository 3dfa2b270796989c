"""The questions people ask in plain text, as the editors see them (issue 13).

Every free-text answer is recorded without any user id: its text, language, time and what
the bot answered. One with no fact (nothing found, or only articles) goes on the editors'
list at once; its reply offers "tell me when the editors answer", which keeps that chat's id
for this question only. Every answer with content carries 👍 / 👎; 👎 lists it too.
Callback data: `ask:<verb>.<question id>` (BUTTONS); a pressed choice shows as inert `ask:`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, phrasing
from bot.answers.engine import Answer, AnswerKind
from bot.i18n import Texts
from storage import Store

PREFIX = "ask"
BUTTONS = callbacks.Buttons(PREFIX, ("wait", "up", "down"))
QUESTION_ID_BITS = 52  # fits callback data and SQLite's integers; guessing one is hopeless
WEAK = (AnswerKind.NOTHING, AnswerKind.ARTICLES)  # no fact answers it: the editors should
RATED = (AnswerKind.FACTS, AnswerKind.STATUS, AnswerKind.NEWS, AnswerKind.ARTICLES)


def new_id(text: str, answer: Answer) -> int | None:
    """The id the question will be stored under, chosen here so the reply (whose buttons
    carry it) need not wait for the database, which a long publish may hold; random, so
    nobody guesses another asker's question. None for small talk."""
    if answer.kind is AnswerKind.REPLY or not text.strip():
        return None
    return secrets.randbits(QUESTION_ID_BITS)


async def record(store: Store, question_id: int, text: str, answer: Answer) -> None:
    """Store the question under `question_id` (from new_id), after the reply is sent."""
    await store.questions.record(
        question_id=question_id,
        text=" ".join(text.split())[:1000],
        language=answer.language,
        signature=phrasing.signature(text),
        answer=answer.kind.value,
        top=answer.top,
        listed=answer.kind in WEAK,
    )


def _rating_row(texts: Texts, question_id: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            texts.plain("ask.button.up"), callback_data=BUTTONS.data("up", question_id)
        ),
        InlineKeyboardButton(
            texts.plain("ask.button.down"), callback_data=BUTTONS.data("down", question_id)
        ),
    ]


def keyboard(
    texts: Texts,
    question_id: int | None,
    answer: Answer,
    first: Sequence[list[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup | None:
    """ "Tell me" under an answer without a fact; 👍 / 👎 under an answer with content; after
    the `first` rows (the reply's own buttons, such as "more")."""
    rows = list(first)
    if question_id is None:
        return InlineKeyboardMarkup(rows) if rows else None
    if answer.kind in WEAK:
        label = texts.plain("ask.button.wait")
        rows.append([InlineKeyboardButton(label, callback_data=BUTTONS.data("wait", question_id))])
    if answer.kind in RATED:
        rows.append(_rating_row(texts, question_id))
    return InlineKeyboardMarkup(rows) if rows else None


def parse(raw: str | None) -> tuple[str, int] | None:
    """(verb, question id) of a pressed question button; None for anything else."""
    press = BUTTONS.parse(raw)
    number = press.number() if press is not None and len(press.args) == 1 else None
    return None if press is None or number is None else (press.verb, number)


def after_press(
    texts: Texts, markup: InlineKeyboardMarkup | None, verb: str
) -> InlineKeyboardMarkup | None:
    """The reply's buttons once pressed: "tell me" becomes a note, 👍 / 👎 show the choice."""
    rows = []
    for row in markup.inline_keyboard if markup else ():
        kinds = {parse(b.callback_data if isinstance(b.callback_data, str) else None) for b in row}
        verbs = {k[0] for k in kinds if k is not None}
        if verb == "wait" and "wait" in verbs:
            continue  # the answer to it confirms the choice
        if verb in ("up", "down") and verbs & {"up", "down"}:
            choice = texts.plain(f"ask.button.{verb}") + " ✓"
            rows.append([InlineKeyboardButton(choice, callback_data=BUTTONS.inert())])
            continue
        rows.append(list(row))
    return InlineKeyboardMarkup(rows) if rows else None


async def forget_old(store: Store, days: float, now: dt.datetime | None = None) -> int:
    """Housekeeping: the questions older than `days` go, with the chat ids kept for them."""
    now = now or dt.datetime.now(dt.UTC)
    return await store.questions.forget_before(now - dt.timedelta(days=days))
