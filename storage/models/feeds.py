"""Feeds polled for news."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Feed:
    """A polled feed with its schedule and health; times are aware UTC datetimes."""

    id: int
    url: str
    origin: str  # "config" (FEEDS setting) or "admin" (/feeds add)
    title: str | None
    etag: str | None
    last_modified: str | None
    next_check_at: dt.datetime
    last_checked_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_new_at: dt.datetime | None
    error_count: int
    last_problem: str | None
    last_detail: str | None
    failing_since: dt.datetime | None
    alerted_at: dt.datetime | None
    items_stored: int
    items_skipped: int
