"""Changes to a chat's subscription and reachability, with its waiting deliveries following.

The chat record changes through ChatDirectory (so its cache stays right), then the outbox
rows still to go are re-planned, skipped or moved. The two steps are separate writes; each
is idempotent, so a crash between them is repaired the next time the chat is touched.
"""

from __future__ import annotations

import logging

from bot.chats import ChatDirectory
from storage import Store
from storage.models import ChatState, Mode

log = logging.getLogger(__name__)


async def change(
    chats: ChatDirectory,
    store: Store,
    chat_id: int,
    mode: Mode,
    *,
    now: float,
    hour: int | None = None,
    weekday: int | None = None,
) -> None:
    """Save the chat's mode (and digest time); its waiting deliveries follow the new mode."""
    await chats.subscribe(chat_id, mode, digest_hour=hour, digest_weekday=weekday)
    replanned = await store.outbox.replan_chat(chat_id, mode, now)
    log.info(
        "chat %s: subscription %s (%s waiting deliveries re-planned)", chat_id, mode, replanned
    )


async def unreachable(
    chats: ChatDirectory, store: Store, chat_id: int, state: ChatState, reason: str
) -> int:
    """Telegram will not take messages for the chat: stop sending; returns rows skipped."""
    await chats.set_state(chat_id, state)
    skipped = await store.outbox.skip_chat(chat_id, reason)
    log.info("chat %s: %s (%s deliveries skipped)", chat_id, state, skipped)
    return skipped


async def reachable(chats: ChatDirectory, chat_id: int) -> None:
    """The bot may write to the chat again (unblocked, added back to the group)."""
    chat = await chats.get(chat_id)
    if chat is not None and chat.state is not ChatState.ACTIVE:
        await chats.set_state(chat_id, ChatState.ACTIVE)
        log.info("chat %s: active again", chat_id)


async def moved(chats: ChatDirectory, store: Store, old_id: int, new_id: int) -> None:
    """The group became a supergroup with a new id: the chat and its waiting rows move."""
    await chats.move(old_id, new_id)
    count = await store.outbox.follow_chat(old_id, new_id)
    log.info("chat %s: moved to %s with %s waiting deliveries", old_id, new_id, count)
