"""Scripted behaviour: failures, blocked or gone chats, slow methods."""

from __future__ import annotations

import re

from tests.fakebotapi.records import Failure
from tests.fakebotapi.state import State
from tests.fakebotapi.wire import (
    ApiError,
    JSONDict,
    MethodKind,
    bad_request,
    default_description,
    optional_chat_id,
)


class Scripting(State):
    """What tests make the fake do wrong, and where calls meet those scripts."""

    def fail_next(
        self,
        method: str | None = "sendMessage",
        *,
        chat_id: int | None = None,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (any method if ``None``) fail.

        Restrict to one chat with ``chat_id``. Rules are consumed in the order they were
        added. A 429 always carries ``parameters.retry_after`` (default: the number in the
        description, else 1). ``description`` defaults to Telegram's wording for the code.
        ``delay`` seconds pass before the error is answered.
        """
        if error_code == 429 and retry_after is None:
            found = re.search(r"retry after (\d+)", description or "")
            retry_after = int(found.group(1)) if found else 1
        if description is None:
            description = default_description(error_code, retry_after)
        parameters: JSONDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        self._failures.append(
            Failure(
                method=method.lower() if method else None,
                chat_id=chat_id,
                error=ApiError(error_code, description, parameters or None),
                times=times,
                delay=delay,
            )
        )

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to ``chat_id`` get 403."""
        self._chat_states[chat_id] = (ApiError(403, "Forbidden: bot was blocked by the user"), True)

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account: sends to ``chat_id`` get 403."""
        self._chat_states[chat_id] = (ApiError(403, "Forbidden: user is deactivated"), True)

    def gone(self, chat_id: int) -> None:
        """Every call about ``chat_id`` gets 400 "chat not found"."""
        self._chat_states[chat_id] = (bad_request("chat not found"), False)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: calls about it get 400 with migrate_to_chat_id."""
        error = ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )
        self._chat_states[chat_id] = (error, False)

    def unblock(self, chat_id: int) -> None:
        """Clear any state set by block/deactivate/gone/migrate for ``chat_id``."""
        self._chat_states.pop(chat_id, None)

    def delay_method(self, method: str, seconds: float) -> None:
        """Answer every ``method`` call only after ``seconds`` (0 removes the delay).

        The call is still carried out after the delay even if the client gave up, like
        a real server that was merely slow (a retried send then duplicates).
        """
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What ``getChatMember(chat_id, user_id)`` reports (default ``member``)."""
        self.chat_members[(chat_id, user_id)] = status

    async def _apply_failures(self, method: str, params: JSONDict) -> None:
        for failure in self._failures:
            if failure.method is not None and failure.method != method:
                continue
            if failure.chat_id is not None and optional_chat_id(params) != failure.chat_id:
                continue
            failure.times -= 1
            if failure.times <= 0:
                self._failures.remove(failure)
            if failure.delay > 0:
                await self._sleep(failure.delay)
            raise failure.error.fresh()

    def _apply_channel_rights(self, params: JSONDict) -> None:
        """Sending or editing in a channel takes an administrator with the right to post."""
        chat_id = optional_chat_id(params)
        if chat_id is None or self._chats.get(chat_id, {}).get("type") != "channel":
            return
        may_post = self._channel_rights.get(chat_id)
        if may_post is None:
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        if not may_post:
            raise bad_request("need administrator rights in the channel chat")

    def _apply_chat_state(self, kind: MethodKind, params: JSONDict) -> None:
        chat_id = optional_chat_id(params)
        if chat_id is None:
            return
        state = self._chat_states.get(chat_id)
        if state is None:
            return
        error, sends_only = state
        if sends_only and kind != "send":
            return
        raise error.fresh()
