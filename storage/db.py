"""Opening the database: pragmas, numbered migrations, and the Store that groups repositories."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

from bot.errors import StorageError
from storage.articles import ArticleRepo
from storage.audit import AuditRepo
from storage.chats import ChatRepo
from storage.facts import FactRepo
from storage.feeds import FeedRepo
from storage.milestones import MilestoneRepo
from storage.outbox import OutboxRepo
from storage.posts import PostRepo
from storage.sql import Db

log = logging.getLogger(__name__)
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped in storage/migrations, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StorageError(f"two migrations share a number: {versions}")
    return found


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply the migrations newer than PRAGMA user_version, each in its own transaction."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    for version, name, sql in migrations():
        if version <= current:
            continue
        log.info("applying migration %s", name)
        await conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
        current = version
    return current


@dataclass
class Store:
    """The open database and its repositories."""

    db: Db
    chats: ChatRepo
    articles: ArticleRepo
    facts: FactRepo
    milestones: MilestoneRepo
    feeds: FeedRepo
    outbox: OutboxRepo
    audit: AuditRepo
    posts: PostRepo

    async def close(self) -> None:
        await self.db.conn.close()


async def open_store(path: Path | str) -> Store:
    """Open (creating if needed) the database at `path` and bring its schema up to date."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
    except Exception as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from exc
    try:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await migrate(conn)
    except Exception as exc:
        await conn.close()
        raise StorageError(f"cannot prepare database {path}: {exc}") from exc
    db = Db(conn)
    return Store(
        db=db,
        chats=ChatRepo(db),
        articles=ArticleRepo(db),
        facts=FactRepo(db),
        milestones=MilestoneRepo(db),
        feeds=FeedRepo(db),
        outbox=OutboxRepo(db),
        audit=AuditRepo(db),
        posts=PostRepo(db),
    )
