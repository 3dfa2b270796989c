"""Feeds: their schedule and health, the items each has shown (for deduplication), the items
waiting for their round's announcement, and those kept out for admins to let in.

`FeedRepo` is one repository to its callers; each of those concerns is a module of its own.
"""

from storage.feeds.base import iso
from storage.feeds.following import FeedFollowing, Removal
from storage.feeds.health import FeedHealth
from storage.feeds.kept_out import KeptOut, KeptOutItem, KeptOutItems
from storage.feeds.pending import PendingArticle, PendingArticles
from storage.feeds.seen import KEPT_OUT_MAX_AGE, SEEN_KEEP_PER_FEED, SEEN_MAX_AGE, SeenItems

__all__ = [
    "KEPT_OUT_MAX_AGE",
    "SEEN_KEEP_PER_FEED",
    "SEEN_MAX_AGE",
    "FeedRepo",
    "KeptOut",
    "KeptOutItem",
    "PendingArticle",
    "Removal",
    "iso",
]


class FeedRepo(FeedFollowing, FeedHealth, SeenItems, PendingArticles, KeptOutItems):
    """Every feed verb over one connection."""
