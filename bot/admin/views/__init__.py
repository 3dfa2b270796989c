"""What /updates, /stats, /broadcasts and /audit show admins, with their buttons.

One module per screen. Each screen is read first, in a fixed number of statements however
many rows it shows (`read_*`, frozen data), then drawn by a pure function of that data, the
admin's texts and time zone (`render_*`); building a screen changes nothing. The coroutine
named after the screen does both.
"""

from bot.admin.views.audit import AUDIT_PER_PAGE, audit_page, read_audit_page, render_audit_page
from bot.admin.views.broadcasts import (
    BROADCASTS_SHOWN,
    Broadcast,
    broadcasts,
    cancel_question,
    read_broadcasts,
    render_broadcasts,
)
from bot.admin.views.common import AUDIT, BROADCASTS, FROM_CARD, UPDATES, Page, when
from bot.admin.views.stats import (
    STATS_UPDATES,
    Stats,
    full_stats,
    read_stats,
    render_stats,
    stats,
)
from bot.admin.views.updates import (
    POSTS_PER_PAGE,
    Card,
    PostRow,
    correction_report,
    open_post_keyboard,
    post_card,
    read_card,
    read_updates_page,
    render_card,
    render_updates_page,
    updates_page,
    withdraw_question,
)

__all__ = [
    "AUDIT",
    "AUDIT_PER_PAGE",
    "BROADCASTS",
    "BROADCASTS_SHOWN",
    "FROM_CARD",
    "POSTS_PER_PAGE",
    "STATS_UPDATES",
    "UPDATES",
    "Broadcast",
    "Card",
    "Page",
    "PostRow",
    "Stats",
    "audit_page",
    "broadcasts",
    "cancel_question",
    "correction_report",
    "full_stats",
    "open_post_keyboard",
    "post_card",
    "read_audit_page",
    "read_broadcasts",
    "read_card",
    "read_stats",
    "read_updates_page",
    "render_audit_page",
    "render_broadcasts",
    "render_card",
    "render_stats",
    "render_updates_page",
    "stats",
    "updates_page",
    "when",
    "withdraw_question",
]
