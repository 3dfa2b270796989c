"""What the admin features keep for the whole process (in BotData): the admins' menus and
the hook through which /stats reports feed health.

Kept apart from the admin handlers' modules so bot.context can hold it without importing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import BotCommand

from bot.i18n import Html, Texts

Menu = Callable[[str], list[BotCommand]]  # a language's public command menu

# /stats calls this, if set, for a section on the news feeds (None: nothing to show). The
# feeds feature sets it in post_init, e.g. `data.feed_health = feeds_admin.summary`; /stats
# works the same without it.
FeedHealth = Callable[[Texts], Awaitable[Html | None]]


@dataclass
class AdminMenus:
    """The chat-scoped menus set for admins: which language each one shows now."""

    public: Menu | None = None
    languages: dict[int, str] = field(default_factory=dict)
