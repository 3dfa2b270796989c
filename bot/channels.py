"""Publishing channels: checking that the bot may post in one, adding and removing it.

A channel becomes an ordinary subscriber (a `chats` row of type 'channel' with its language
chosen), so every published update reaches it through the outbox like any chat. Before that
the bot asks Telegram (getChat, then getChatMember of itself) whether the channel exists and
whether the bot is an administrator there with the right to post: a channel it cannot post
in is refused with the reason and nothing is stored or queued.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import Enum

from telegram import Bot, ChatMember, ChatMemberAdministrator, ChatMemberOwner
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import subscriptions
from bot.chats import ChatDirectory
from storage import Store
from storage.models import ChatState, Mode

log = logging.getLogger(__name__)

# The modes a channel may have: a post per update, or one daily digest.
CHANNEL_MODES = (Mode.INSTANT, Mode.DAILY)
_USERNAME_RE = re.compile(
    r"^(?:https?://)?(?:t\.me/|telegram\.me/|@)?([A-Za-z][A-Za-z0-9_]{3,31})/?$"
)
_ID_RE = re.compile(r"^-100\d{6,16}$")


class Problem(Enum):
    """Why a channel cannot be added (each has a text: channels.problem.<value>)."""

    BAD_NAME = "bad_name"  # neither @name, a t.me link nor a -100... id
    NOT_FOUND = "not_found"  # Telegram knows no such chat, or hides it from the bot
    NOT_CHANNEL = "not_channel"  # a group or a user: they subscribe with /subscribe
    NOT_ADMIN = "not_admin"  # the bot is not an administrator there
    CANNOT_POST = "cannot_post"  # an administrator without the right to post messages
    UNAVAILABLE = "unavailable"  # Telegram did not answer: try again later


@dataclass(frozen=True)
class Found:
    """A channel the bot may post in."""

    chat_id: int
    title: str
    username: str | None

    @property
    def name(self) -> str:
        return f"@{self.username}" if self.username else self.title


def parse_target(text: str) -> int | str | None:
    """`@name`, `name`, `t.me/name` -> "@name"; `-100…` -> the id; anything else None."""
    text = text.strip()
    if _ID_RE.match(text):
        return int(text)
    match = _USERNAME_RE.match(text)
    return f"@{match.group(1)}" if match else None


def may_post(member: ChatMember) -> bool:
    """Whether this membership (of the bot) lets it post in a channel."""
    if isinstance(member, ChatMemberOwner):
        return True
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)


async def inspect(bot: Bot, target: int | str) -> Found | Problem:
    """Ask Telegram whether `target` is a channel the bot may post in."""
    try:
        chat = await bot.get_chat(target)
    except (BadRequest, Forbidden) as exc:
        log.info("channel %s: not found (%s)", target, exc.message)
        return Problem.NOT_FOUND
    except TelegramError as exc:
        log.warning("channel %s: getChat failed: %s", target, exc)
        return Problem.UNAVAILABLE
    if chat.type != chat.CHANNEL:
        return Problem.NOT_CHANNEL
    try:
        member = await bot.get_chat_member(chat.id, bot.id)
    except (BadRequest, Forbidden) as exc:  # "member list is inaccessible": not an admin
        log.info("channel %s: the bot is not an administrator (%s)", chat.id, exc.message)
        return Problem.NOT_ADMIN
    except TelegramError as exc:
        log.warning("channel %s: getChatMember failed: %s", chat.id, exc)
        return Problem.UNAVAILABLE
    if not isinstance(member, ChatMemberAdministrator | ChatMemberOwner):
        return Problem.NOT_ADMIN
    if not may_post(member):
        return Problem.CANNOT_POST
    return Found(chat.id, chat.title or str(chat.id), chat.username)


async def add(
    store: Store,
    chats: ChatDirectory,
    found: Found,
    *,
    language: str,
    mode: Mode,
    admin_id: int,
    now: float,
) -> None:
    """Subscribe the channel in `language` and `mode`; audited."""
    await store.channels.add(
        found.chat_id,
        title=found.title,
        username=found.username,
        language=language,
        mode=mode,
        added_by=admin_id,
    )
    chats.forget(found.chat_id)  # written beside the directory: read it afresh
    await store.outbox.replan_chat(found.chat_id, mode, now)  # rows left from an earlier time
    await store.audit.record(
        admin_id, "channel.added", str(found.chat_id), f"language={language} mode={mode.value}"
    )
    log.info("admin %s added channel %s (%s, %s)", admin_id, found.chat_id, language, mode)


async def remove(
    store: Store, chats: ChatDirectory, chat_id: int, *, admin_id: int, now: float
) -> bool:
    """Stop publishing to the channel (its waiting deliveries are cancelled); audited.
    False if it was not on the list."""
    if not await store.channels.removed(chat_id, admin_id):
        return False
    await subscriptions.change(chats, store, chat_id, Mode.OFF, now=now)
    await store.audit.record(admin_id, "channel.removed", str(chat_id))
    log.info("admin %s removed channel %s", admin_id, chat_id)
    return True


async def lost(store: Store, chats: ChatDirectory, chat_id: int, reason: str) -> None:
    """The bot was removed from the channel or lost the right to post: it is gone, and its
    waiting deliveries are skipped (as for a user who blocked the bot)."""
    await subscriptions.unreachable(chats, store, chat_id, ChatState.GONE, reason)
