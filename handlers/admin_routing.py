"""How updates reach the admin handlers, with PTB's own tools: a command only through
filters.User of the admin ids, a button only through its verb's pattern and the same ids;
anyone else trying an admin command or button meets one handler that refuses and audits
(bot.admin.guard.refuse), registered after every admin handler."""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine, Iterable
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import callbacks
from bot.admin import flow, guard
from bot.callbacks import Buttons
from bot.context import BotContext

RT = TypeVar("RT")
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, RT]]
STRAY = "button"  # the audit's name for an admin button no feature declares


async def stale_button(update: Update, context: BotContext) -> None:
    """An admin button that no longer leads anywhere (a finished draft, a removed row, forged
    data): a short note, nothing changes."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.texts.plain("admin.stale"))


class _AdminButton(CallbackQueryHandler[BotContext, RT]):
    """A CallbackQueryHandler takes no filters: this one also asks the admins' filter's ids."""

    def __init__(self, callback: Callback[RT], pattern: str, admins: filters.User) -> None:
        super().__init__(callback, pattern=pattern)
        self.admins = admins

    def check_update(self, update: object) -> bool | object | None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None or user.id not in self.admins.user_ids:
            return None
        return super().check_update(update)


class Routes:
    """Builds the admin handlers and remembers what they answer, for the refusal."""

    def __init__(self, admin_ids: Collection[int]) -> None:
        self.admins = filters.User(user_id=list(admin_ids))
        self._commands: dict[str, bool] = {}  # name: private chats only
        self._buttons: list[Buttons] = []

    def command(
        self, name: str, callback: Callback[RT], *, private: bool = True
    ) -> CommandHandler[BotContext, RT]:
        self._commands[name] = private
        chats = filters.ChatType.PRIVATE if private else filters.ALL
        return CommandHandler(name, callback, filters=chats & self.admins)

    def button(
        self, buttons: Buttons, verbs: Iterable[str], callback: Callback[RT]
    ) -> CallbackQueryHandler[BotContext, RT]:
        """The handler of these verbs of the feature's buttons (all of them if none given)."""
        if buttons not in self._buttons:
            self._buttons.append(buttons)
        return _AdminButton(callback, buttons.pattern(*verbs), self.admins)

    def any_button(self, callback: Callback[RT]) -> CallbackQueryHandler[BotContext, RT]:
        """Every admin button not taken before (a finished draft's)."""
        return _AdminButton(callback, callbacks.whole(flow.PREFIX), self.admins)

    def refusals(self) -> list[BaseHandler[Update, BotContext, object]]:
        """The one refusal for every admin command and button registered so far."""
        private = [name for name, only in self._commands.items() if only]
        anywhere = [name for name, only in self._commands.items() if not only]
        found: list[BaseHandler[Update, BotContext, object]] = [
            CallbackQueryHandler(self._refuse, pattern=callbacks.whole(flow.PREFIX))
        ]
        if private:
            found.append(CommandHandler(private, self._refuse, filters=filters.ChatType.PRIVATE))
        if anywhere:
            found.append(CommandHandler(anywhere, self._refuse))
        return found

    async def _refuse(self, update: Update, context: BotContext) -> None:
        await guard.refuse(update, context, self._attempt(update))

    def _attempt(self, update: Update) -> str:
        """What the audit names: the command, or the command whose screen has the button."""
        query = update.callback_query
        if query is not None:
            owner = next((b for b in self._buttons if b.owns(query.data)), None)
            return owner.command if owner is not None and owner.command else STRAY
        message = update.effective_message
        word = (message.text or "").split(maxsplit=1)[0] if message and message.text else ""
        return word.split("@", 1)[0].lower()
