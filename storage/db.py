"""Opening the database: pragmas, numbered migrations, and the Store that groups repositories."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.articles import ArticleRepo
from storage.audit import AuditRepo
from storage.channels import ChannelRepo
from storage.chats import ChatRepo
from storage.corrections import CorrectionRepo
from storage.errors import StorageError
from storage.facts import FactRepo
from storage.feeds import FeedRepo
from storage.milestones import MilestoneRepo
from storage.outbox import OutboxRepo
from storage.posts import PostRepo
from storage.questions import QuestionRepo
from storage.runtime import RuntimeRepo
from storage.search import SearchRepo
from storage.sql import Db

log = logging.getLogger(__name__)
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def latest_version() -> int:
    """The schema version this code brings a database to."""
    return max(version for version, _, _ in migrations())


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
    """Apply every shipped migration not applied yet, each in its own transaction.

    Applied migrations are listed by number, not inferred from the highest one: features
    developed side by side land their migrations in any order. PRAGMA user_version keeps the
    highest applied number, which `visatalks health` compares with the code's.
    """
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with conn.execute("SELECT version FROM schema_migrations") as cur:
        applied = {int(row[0]) for row in await cur.fetchall()}
    for version, name, sql in migrations():
        if version in applied:
            continue
        log.info("applying migration %s", name)
        highest = max(applied | {version})
        await conn.executescript(
            f"BEGIN;\n{sql}\n"
            f"INSERT INTO schema_migrations VALUES ({version}, '{name}', datetime('now'));\n"
            f"PRAGMA user_version = {highest};\nCOMMIT;"
        )
        applied.add(version)
    return max(applied, default=0)


async def _open_reader(path: Path | str) -> aiosqlite.Connection:
    """A second connection, for reads only, on its own thread (see storage.sql): under WAL it
    reads what was committed while the writer is busy."""
    reader = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        await reader.execute("PRAGMA query_only = ON")
        await reader.execute("PRAGMA busy_timeout = 5000")
    except Exception:
        await reader.close()
        raise
    return reader


@dataclass
class Store:
    """The open database and its repositories."""

    db: Db
    chats: ChatRepo
    articles: ArticleRepo
    facts: FactRepo
    milestones: MilestoneRepo
    search: SearchRepo
    runtime: RuntimeRepo
    feeds: FeedRepo
    outbox: OutboxRepo
    audit: AuditRepo
    posts: PostRepo
    corrections: CorrectionRepo
    questions: QuestionRepo
    channels: ChannelRepo

    async def close(self) -> None:
        if self.db.reader is not None:
            await self.db.reader.close()
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
    try:
        reader = None if str(path) == ":memory:" else await _open_reader(path)
    except Exception as exc:
        await conn.close()
        raise StorageError(f"cannot open database {path} for reading: {exc}") from exc
    db = Db(conn, reader)
    return Store(
        db=db,
        chats=ChatRepo(db),
        articles=ArticleRepo(db),
        facts=FactRepo(db),
        milestones=MilestoneRepo(db),
        search=SearchRepo(db),
        runtime=RuntimeRepo(db),
        feeds=FeedRepo(db),
        outbox=OutboxRepo(db),
        audit=AuditRepo(db),
        posts=PostRepo(db),
        corrections=CorrectionRepo(db),
        questions=QuestionRepo(db),
        channels=ChannelRepo(db),
    )
