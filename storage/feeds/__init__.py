"""Feeds: their schedule and health, the items each has shown (for deduplication), the items
waiting for their round's announcement, those kept out for admins to let in, and what /feeds
shows of them.

`FeedRepo` is one repository to its callers; each of those concerns is a module of its own.
"""

from storage.feeds.base import iso
from storage.feeds.following import Removal
from storage.feeds.health import FeedHealth
from storage.feeds.kept_out import KeptOut, KeptOutItem
from storage.feeds.overview import FeedOverview, FeedsOverview
from storage.feeds.pending import PendingArticle, PendingArticles
from storage.feeds.seen import KEPT_OUT_MAX_AGE, SEEN_KEEP_PER_FEED, SEEN_MAX_AGE, SeenItems

__all__ = [
    "KEPT_OUT_MAX_AGE",
    "SEEN_KEEP_PER_FEED",
    "SEEN_MAX_AGE",
    "FeedRepo",
    "FeedsOverview",
    "KeptOut",
    "KeptOutItem",
    "PendingArticle",
    "Removal",
    "iso",
]


class FeedRepo(FeedOverview, FeedHealth, SeenItems, PendingArticles):
    """Every feed verb over one connection."""
