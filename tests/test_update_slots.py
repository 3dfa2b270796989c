"""bot.telegram.updates: one chat's updates in order, at most N at once, and a chat waiting for its
turn or for a flood limit holds no slot."""

from __future__ import annotations

import asyncio
import datetime as dt

from telegram import Chat, Message, Update

from bot.telegram.updates import PerChatOrder, slot_released


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, dt.datetime.now(dt.UTC), chat))


class Handlers:
    """Records what runs; `gate` holds a handler until it is set."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.done: list[int] = []

    async def handle(self, update_id: int, gate: asyncio.Event | None = None) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(0.001)
            if gate is not None:
                await gate.wait()
        finally:
            self.running -= 1
        self.done.append(update_id)


async def test_slots_bound_the_updates_running_and_one_chat_keeps_its_order() -> None:
    processor = PerChatOrder(max_concurrent_updates=2)
    handlers = Handlers()
    tasks = [
        asyncio.create_task(processor.process_update(update(i, i % 5), handlers.handle(i)))
        for i in range(40)
    ]
    await asyncio.gather(*tasks)
    assert handlers.most == 2
    for chat in range(5):
        assert [i for i in handlers.done if i % 5 == chat] == list(range(chat, 40, 5))


async def test_a_chat_waiting_for_its_turn_or_a_flood_limit_holds_no_slot() -> None:
    processor = PerChatOrder(max_concurrent_updates=2)
    handlers = Handlers()
    flood = asyncio.Event()

    async def flood_limited(update_id: int) -> None:
        async with slot_released():  # the reply waits out Telegram's flood limit
            await flood.wait()
        handlers.done.append(update_id)

    limited = [
        asyncio.create_task(processor.process_update(update(i, 7), flood_limited(i)))
        for i in range(1, 5)
    ]
    await asyncio.sleep(0.01)
    others = [processor.process_update(update(i, i), handlers.handle(i)) for i in range(10, 20)]
    await asyncio.wait_for(asyncio.gather(*others), timeout=1)
    assert handlers.most == 2 and not any(task.done() for task in limited)
    flood.set()
    await asyncio.gather(*limited)
    assert handlers.done[-4:] == [1, 2, 3, 4]
