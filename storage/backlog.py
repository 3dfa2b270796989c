"""The backlogs /metrics reports, counted on a read-only connection of their own.

A scrape never waits behind the bot's connection (and never holds it up): under WAL a reader
sees the last committed state while the bot writes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.errors import StorageError
from storage.probe import read_only_uri

_BUSY_MS = 2000


@dataclass(frozen=True, slots=True)
class Backlog:
    deliveries: int  # pending or paused
    corrections: int  # queued fixes of delivered messages not done yet


def _count(path: Path) -> Backlog:
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        # The partial index deliveries_chat covers exactly these rows.
        deliveries = conn.execute(
            "SELECT count(*) FROM deliveries INDEXED BY deliveries_chat "
            "WHERE status IN ('pending', 'paused')"
        ).fetchone()[0]
        corrections = conn.execute(
            "SELECT count(*) FROM corrections WHERE outcome IS NULL"
        ).fetchone()[0]
        return Backlog(int(deliveries), int(corrections))
    finally:
        conn.close()


async def backlog(path: Path) -> Backlog:
    """StorageError when the database cannot be read (missing, or not migrated yet)."""
    try:
        return await asyncio.to_thread(_count, path)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc
