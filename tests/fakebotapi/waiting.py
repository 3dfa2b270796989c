"""Awaiting the bot's messages, edits and calls, with a diagnosis on timeout."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

from tests.fakebotapi.recording import Recording
from tests.fakebotapi.records import Call, SentMessage

_T = TypeVar("_T")


class Waiting(Recording):
    """``wait_for_*``: resolved by every recorded call (see :meth:`FakeBotApi.handle`)."""

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 15.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> list[SentMessage]:
        """Wait until ``since + count`` messages went to ``chat_id``; return those ``count``.

        ``since`` is an index into :meth:`messages_to` (e.g. its length before acting).

        Raises:
            AssertionError: on timeout, listing what was sent and the recent calls.
        """

        def check() -> list[SentMessage] | None:
            sent = self._sent_by_chat.get(chat_id, [])
            return sent[since : since + count] if len(sent) >= since + count else None

        def describe() -> str:
            sent = self._sent_by_chat.get(chat_id, [])
            lines = [f"  [{i}] {m.plain!r}" for i, m in enumerate(sent)]
            return (
                f"timed out after {timeout}s waiting for {count} bot message(s) to chat "
                f"{chat_id} after #{since}; {len(sent)} sent:\n"
                + ("\n".join(lines) or "  (none)")
                + self._recent_calls()
            )

        return await self._wait(check, timeout, describe)

    async def wait_for_edits(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 15.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> list[SentMessage]:
        """Like :meth:`wait_for_messages` for edits (see :meth:`edits_to`)."""

        def check() -> list[SentMessage] | None:
            edits = self._edits_by_chat.get(chat_id, [])
            return edits[since : since + count] if len(edits) >= since + count else None

        def describe() -> str:
            edits = self._edits_by_chat.get(chat_id, [])
            return (
                f"timed out after {timeout}s waiting for {count} edit(s) in chat {chat_id} "
                f"after #{since}; got {[m.plain for m in edits]}" + self._recent_calls()
            )

        return await self._wait(check, timeout, describe)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 15.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Call:
        """Wait for the first call of ``method`` with ``seq >= since`` matching ``predicate``.

        Pass ``since=len(api.calls)`` to ignore calls made before.

        Raises:
            AssertionError: on timeout, listing the recent calls.
        """
        key = method.lower()
        cursor = 0

        def check() -> Call | None:
            nonlocal cursor
            calls = self._calls_by_method.get(key, [])
            while cursor < len(calls):
                call = calls[cursor]
                cursor += 1
                if call.seq >= since and (predicate is None or predicate(call)):
                    return call
            return None

        def describe() -> str:
            return f"timed out after {timeout}s waiting for a {method} call" + self._recent_calls()

        return await self._wait(check, timeout, describe)

    async def _wait(
        self,
        check: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> _T:
        result = check()
        if result is not None:
            return result
        future: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(describe()) from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    def _notify(self) -> None:
        for check, future in self._waiters:
            if future.done():
                continue
            try:
                result = check()
            except Exception as exc:  # a failing predicate must surface in the test
                future.set_exception(exc)
                continue
            if result is not None:
                future.set_result(result)

    def _recent_calls(self, count: int = 12) -> str:
        recent = self.calls[-count:]
        if not recent:
            return "\nno API calls recorded"
        return "\nrecent API calls:\n" + "\n".join(f"  {c.summary()}" for c in recent)
