"""Telegram-like flood limits and the 429 ``retry_after`` they answer with."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Flood limits to enforce on message-sending methods (``None`` disables one).

    Defaults are Telegram's documented ceilings: 30 messages/s overall, about one
    message per second per private chat and 20 messages per minute per group or channel.
    """

    global_per_second: float | None = 30.0
    private_per_second: float | None = 1.0
    group_per_minute: int | None = 20
    channel_per_minute: int | None = 20


class Window:
    """Sliding window admitting at most ``cap`` events per ``span`` seconds."""

    __slots__ = ("cap", "span", "stamps")

    def __init__(self, cap: int, span: float) -> None:
        self.cap = cap
        self.span = span
        self.stamps: deque[float] = deque()

    @classmethod
    def per_second(cls, rate: float) -> Window:
        cap = max(1, int(rate))
        return cls(cap, cap / rate)

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        stamps = self.stamps
        horizon = now - self.span
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        if len(stamps) < self.cap:
            return 0.0
        return stamps[0] + self.span - now


class RateLimiter:
    """Telegram-like flood control: global, per private chat and per group windows."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = (
            Window.per_second(limits.global_per_second) if limits.global_per_second else None
        )
        self._chats: dict[int, Window] = {}

    def _chat_window(self, chat_id: int, channel: bool) -> Window | None:
        window = self._chats.get(chat_id)
        if window is None:
            if channel:
                if not self.limits.channel_per_minute:
                    return None
                window = Window(self.limits.channel_per_minute, 60.0)
            elif chat_id < 0:
                if not self.limits.group_per_minute:
                    return None
                window = Window(self.limits.group_per_minute, 60.0)
            else:
                if not self.limits.private_per_second:
                    return None
                window = Window.per_second(self.limits.private_per_second)
            self._chats[chat_id] = window
        return window

    def acquire(self, chat_id: int, now: float, channel: bool = False) -> int | None:
        """Record a send and return ``None``, or return ``retry_after`` seconds if over a limit."""
        chat = self._chat_window(chat_id, channel)
        wait = max(
            self._global.wait_time(now) if self._global else 0.0,
            chat.wait_time(now) if chat else 0.0,
        )
        if wait > 0:
            return max(1, math.ceil(wait))
        if self._global:
            self._global.stamps.append(now)
        if chat:
            chat.stamps.append(now)
        return None
