"""What the buttons of the admins' drafts share (a /post draft, a new fact in /facts_admin, an
answer in /questions): a press counts only if it is the admin's current draft's (its id is
the button's first argument), else it gets the "no longer active" note; a choice made shows
under its question; Cancel drops the draft and says so in place of the question.

Each step of a draft's conversation registers the handlers of its own question's buttons,
one a verb (bot.admin.flow.conversation), built here; a button no step takes is an old one
and meets the same note from the admin handlers after the conversations.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Generic, Protocol, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ConversationHandler

from bot.admin.flow import Slot
from bot.admin.formatting import to_html
from bot.callbacks import Buttons, Press
from bot.context import BotContext
from bot.i18n import Html, escape
from bot.replies import replace
from handlers.admin_routing import Callback, stale_button

END = ConversationHandler.END


class Draft(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def step(self) -> int: ...


D = TypeVar("D", bound=Draft)
# What follows a choice kept: the draft's next question, and the step it waits at.
Next = Callable[[Update, BotContext, D], Coroutine[Any, Any, int]]


async def answered(update: Update, context: BotContext) -> None:
    """Answer the button press; its message keeps the question and shows the answer."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    if not isinstance(message, Message) or not message.text:
        return
    markup = message.reply_markup or InlineKeyboardMarkup([])
    label = next(
        (b.text for row in markup.inline_keyboard for b in row if b.callback_data == query.data),
        "",
    )
    question = to_html(message.text, message.entities)
    answer = f"\n\n→ <b>{escape(label)}</b>" if label else ""
    await replace(update, context, Html(question + answer))


class DraftButtons(Generic[D]):
    """One kind of draft's buttons: `buttons` declares them, `slot` keeps the draft, and
    `cancelled` is the catalogue key Cancel answers with."""

    def __init__(self, buttons: Buttons, slot: Slot[D], cancelled: str) -> None:
        self.buttons, self.slot, self.cancelled = buttons, slot, cancelled

    async def pressed(self, update: Update, context: BotContext) -> tuple[D, Press] | int:
        """The admin's draft and the press, if the button is that draft's; otherwise the
        press gets the stale note and the state to stay in comes back."""
        draft = self.slot.current(context.user_data)
        query = update.callback_query
        press = self.buttons.parse(query.data if query else None)
        if draft is None or press is None or press.arg(0) != draft.id:
            await stale_button(update, context)
            return draft.step if draft is not None else END
        return draft, press

    def choice(self, take: Callable[[D, str], bool], then: Next[D]) -> Callback[int]:
        """The handler of a button that answers the draft's question with its argument (a
        topic, an article): `take` keeps it, or says it does not answer the question the
        draft is at (the stale note); then comes the next question."""

        async def chosen(update: Update, context: BotContext) -> int:
            found = await self.pressed(update, context)
            if isinstance(found, int):
                return found
            draft, press = found
            if not take(draft, press.arg(1)):
                await stale_button(update, context)
                return draft.step
            await answered(update, context)
            return await then(update, context, draft)

        return chosen

    def tap(self, take: Callable[[D], bool], then: Next[D]) -> Callback[int]:
        """A button with nothing to choose (Skip, Editors)."""
        return self.choice(lambda draft, _argument: take(draft), then)

    async def cancel(self, update: Update, context: BotContext) -> int:
        """Cancel, under any question: the draft is dropped, and its question says so."""
        found = await self.pressed(update, context)
        if isinstance(found, int):
            return found
        self.slot.drop(context.user_data)
        query = update.callback_query
        assert query is not None
        await query.answer()
        await replace(update, context, context.texts(self.cancelled))
        return END
