"""Admin features: the audit log and admins' posts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action (or a refused attempt): who, what, about what, when."""

    id: int
    at: str  # ISO 8601 UTC
    user_id: int
    action: str
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class PostText:
    """One language of an admin's post, as typed: Telegram HTML, and the milestone's place
    (a language the admin skipped may still have its place, with an empty body)."""

    body: str
    place: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """An update an admin published, with what they typed and chose."""

    update_id: int
    kind: str  # "news" | "milestone"
    token: str
    texts: dict[str, PostText]
    stage: int | None
    happened_on: dt.date | None
    source_url: str | None
    created_by: int | None
    created_at: str
    edited_at: str | None
    withdrawn_at: str | None
    places: dict[str, str] = field(default_factory=dict)  # every language's place (milestones)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def place(self, language: str) -> str:
        """The milestone's place in `language`, else in another language."""
        return self.places.get(language) or next(iter(self.places.values()), "")
