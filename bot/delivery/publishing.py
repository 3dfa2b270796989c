"""Announcing an update to subscribers, and how an update or a digest reads in a chat.

`publish(store, announcement)` is what the feeds and the admin features call: the update and
one delivery row per subscribed chat are written in one transaction, and the delivery worker
(bot/delivery/worker.py) sends them. Rendering lives here and only here, so a digest, an instant
message and an admin's later edit of a sent message all read the same.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.delivery.textsplit import TELEGRAM_LIMIT, split_html
from bot.i18n import LANGUAGES, Html, link, texts_for
from storage import Store
from storage.outbox import KINDS

log = logging.getLogger(__name__)

# The language a subscriber gets when the update has none of theirs.
FALLBACK_ORDER = ("ru", "en", "kk")


@dataclass(frozen=True)
class Announcement:
    kind: str  # "milestone" | "news" | "feed"
    texts: Mapping[str, str]  # language -> Telegram HTML body, already safe; at least one
    article_id: int | None = None
    milestone_id: int | None = None
    created_by: int | None = None  # admin's Telegram user id, None for feeds

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if not self.texts:
            raise ValueError("an announcement needs a text in at least one language")
        for language, body in self.texts.items():
            if language not in LANGUAGES:
                raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
            if not body.strip():
                raise ValueError(f"the {language} text is empty")


@dataclass(frozen=True)
class Published:
    update_id: int
    queued: int  # delivery rows written: one per active subscribed chat


async def publish(store: Store, announcement: Announcement) -> Published:
    """Store the update and queue it for every subscriber; the worker is woken at once."""
    update_id, queued = await store.outbox.publish(
        kind=announcement.kind,
        texts=dict(announcement.texts),
        article_id=announcement.article_id,
        milestone_id=announcement.milestone_id,
        created_by=announcement.created_by,
    )
    log.info("update %s (%s): queued for %s chats", update_id, announcement.kind, queued)
    return Published(update_id=update_id, queued=queued)


def pick_language(available: Collection[str], wanted: str) -> str:
    """`wanted` if the update has it, else ru, then en, then kk."""
    if wanted in available:
        return wanted
    for language in FALLBACK_ORDER:
        if language in available:
            return language
    return sorted(available)[0]


def render_update(texts: Mapping[str, str], language: str) -> Html:
    """One update as a subscriber reading `language` sees it (with a note if translated out)."""
    chosen = pick_language(texts, language)
    body = texts[chosen].strip()
    if chosen == language:
        return Html(body)
    note = texts_for(language)(f"delivery.only_in.{chosen}.html")
    return Html(f"{note}\n\n{body}")


def update_parts(
    texts: Mapping[str, str], language: str, frame: ChannelFrame | None = None
) -> list[str]:
    """The messages one update goes out as: split at 4096 characters on paragraph boundaries
    (framed as a channel post when `frame` is given)."""
    body = render_update(texts, language)
    return split_html(frame.post(body, language) if frame is not None else body)


def bot_link(username: str) -> str:
    """The deep link that opens the bot and subscribes the reader (handlers/start.py)."""
    return f"https://t.me/{username}?start=subscribe"


@dataclass(frozen=True)
class ChannelFrame:
    """What makes an update a proper channel post: a header (milestone or news), the date it
    was published, and a link to the bot so readers can ask it questions. The update's own
    text keeps its source link."""

    kind: str  # the update's kind; a feed item reads as news
    created_at: str  # ISO 8601 UTC, as updates.created_at
    bot_username: str
    timezone: ZoneInfo

    def post(self, body: str, language: str) -> Html:
        texts = texts_for(language)
        header = "milestone" if self.kind == "milestone" else "news"
        published = dt.datetime.fromisoformat(self.created_at).astimezone(self.timezone)
        blocks = [
            texts(f"channels.post.header.{header}.html"),
            body,
            texts("channels.post.date", date=texts.date(published.date())),
            self.closing(language),
        ]
        return Html("\n\n".join(blocks))

    def closing(self, language: str) -> Html:
        """The line that sends readers to the bot (a channel's digest ends with it too)."""
        label = texts_for(language).plain("channels.post.ask")
        return link(bot_link(self.bot_username), label)


def digest_parts(
    updates: Sequence[Mapping[str, str]], language: str, frame: ChannelFrame | None = None
) -> list[str]:
    """Several updates in as few messages as fit, oldest first.

    Whole updates are packed into each message (a title never parts from its text); only an
    update longer than a message by itself is cut, on its own paragraph boundaries.
    """
    texts = texts_for(language)
    blocks = [texts.plural("delivery.digest.title.html", len(updates))]
    blocks += [render_update(update, language) for update in updates]
    # A channel's readers cannot change its settings; they are sent to the bot instead.
    blocks.append(frame.closing(language) if frame is not None else texts("delivery.digest.footer"))
    parts: list[str] = []
    current = ""
    for block in blocks:
        for piece in split_html(block):
            joined = f"{current}\n\n{piece}" if current else piece
            if len(joined) <= TELEGRAM_LIMIT:
                current = joined
            else:
                parts.append(current)
                current = piece
    parts.append(current)
    return parts
