"""A read-only look at a database for the health check: schema, heartbeat, pending deliveries.

It never migrates or writes, so it is safe while the bot runs and on a database left behind
by an older or newer release.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from storage.db import latest_version
from storage.errors import StorageError
from storage.runtime import LAST_POLL

_BUSY_MS = 2000  # a health check must answer quickly, even when a writer holds the lock


@dataclass(frozen=True, slots=True)
class Probe:
    schema_version: int
    latest_version: int
    last_poll_at: dt.datetime | None
    pending_deliveries: int | None  # None: no deliveries table in this schema


def read_only_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"


async def probe(path: Path) -> Probe:
    """What the database says about the bot; StorageError when it cannot be read."""
    if not await asyncio.to_thread(path.is_file):
        raise StorageError(f"no database at {path}")
    try:
        async with aiosqlite.connect(read_only_uri(path), uri=True) as conn:
            await conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            async with conn.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            version = int(row[0]) if row else 0
            async with conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name IN ('runtime', 'deliveries')"
            ) as cur:
                tables = {str(r[0]) for r in await cur.fetchall()}
            last_poll = None
            if "runtime" in tables:
                async with conn.execute(
                    "SELECT value FROM runtime WHERE key = ?", (LAST_POLL,)
                ) as cur:
                    found = await cur.fetchone()
                if found is not None:
                    last_poll = dt.datetime.fromisoformat(str(found[0]))
            pending = None
            if "deliveries" in tables:
                async with conn.execute(
                    "SELECT count(*) FROM deliveries WHERE status = 'pending'"
                ) as cur:
                    counted = await cur.fetchone()
                pending = int(counted[0]) if counted else 0
    except (sqlite3.Error, ValueError) as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc
    return Probe(version, latest_version(), last_poll, pending)
