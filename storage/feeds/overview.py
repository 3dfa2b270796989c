"""What /feeds shows, read at once: the followed feeds with their health, then the items
kept out of the last rounds (one query each, whatever their number)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.feeds.following import FeedFollowing
from storage.feeds.kept_out import KeptOut, KeptOutItems
from storage.models import Feed


@dataclass(frozen=True, slots=True)
class FeedsOverview:
    feeds: tuple[Feed, ...]  # the active feeds, by id
    kept_out: tuple[KeptOut, ...]  # the most recent items kept out and not let in, newest first


class FeedOverview(FeedFollowing, KeptOutItems):
    async def overview(self, kept_limit: int) -> FeedsOverview:
        """The active feeds and at most `kept_limit` items kept out; reading changes nothing."""
        return FeedsOverview(tuple(await self.active()), tuple(await self.kept_out(kept_limit)))
