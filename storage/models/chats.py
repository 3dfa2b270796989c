"""Chats: who subscribed, how, and whether Telegram still lets us write."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    """How a chat wants updates."""

    OFF = "off"
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


class ChatState(StrEnum):
    """Whether Telegram still lets us write to the chat."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: str
    language: str
    language_chosen: bool
    mode: Mode
    digest_hour: int
    digest_weekday: int
    state: ChatState
    first_seen: str
    last_seen: str


@dataclass(frozen=True, slots=True)
class ChatCount:
    """How many chats share a language, subscription mode and state."""

    language: str
    mode: Mode
    state: ChatState
    count: int
