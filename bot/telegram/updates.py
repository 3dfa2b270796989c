"""Update processing: concurrent across chats, in arrival order within one chat.

python-telegram-bot processes updates one by one unless told otherwise; its concurrent mode
drops the order, so a user's `/lang` then `/status` could be answered the wrong way round.
Here each chat has its own lock: different chats overlap their network and database waits,
one chat's updates run strictly in order.

At most MAX_CONCURRENT_UPDATES updates run at once, but a slot is only taken once the chat's
turn has come, and is given back while a reply waits out Telegram's flood limit
(`slot_released`): one chat held back by Telegram (a busy group at 20 messages a minute,
say) would otherwise fill every slot with its own queued updates and stall every other chat
for as long as Telegram makes it wait. python-telegram-bot's own bound (taken before the
chat's turn) only caps how many updates may be in the house at all, MAX_WAITING_UPDATES.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 4
# Updates running or waiting for their chat's turn; past it the next one is not even read
# from the queue. Each waiting update is a small task: this bounds memory, not latency.
MAX_WAITING_UPDATES = 4096


class _Slot:
    """One update's claim on a processing slot; knows whether it holds it right now."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots = slots
        self.held = False

    async def take(self) -> None:
        await self._slots.acquire()
        self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()


_current: ContextVar[_Slot | None] = ContextVar("update_slot", default=None)


@asynccontextmanager
async def slot_released() -> AsyncIterator[None]:
    """Wait (for a flood limit, say) without holding the update's slot: other chats' updates
    run meanwhile. The update's chat stays locked, so its order holds."""
    slot = _current.get()
    if slot is None or not slot.held:
        yield
        return
    slot.give_back()
    try:
        yield
    finally:
        await slot.take()


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PerChatOrder(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        max_waiting_updates: int = MAX_WAITING_UPDATES,
    ) -> None:
        super().__init__(max(max_waiting_updates, max_concurrent_updates))
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        # chat id -> (lock, number of updates holding or waiting for it)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await self._run(coroutine)
            return
        lock, users = self._chats.get(key) or (asyncio.Lock(), 0)
        self._chats[key] = (lock, users + 1)
        try:
            async with lock:
                await self._run(coroutine)
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        slot = _Slot(self._slots)
        # Runs in the update's own task, so the handlers it calls see this slot.
        token = _current.set(slot)
        try:
            await slot.take()
            await coroutine
        finally:
            slot.give_back()
            _current.reset(token)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
