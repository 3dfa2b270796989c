"""A thin layer over the aiosqlite connections: reads, writes, and serialised transactions.

aiosqlite runs every statement of a connection on one thread, but coroutines interleave
between statements: a write from one task could land inside another task's open transaction
and vanish with its rollback. Every write therefore takes `lock`; a transaction holds it from
BEGIN to COMMIT.

While a write is under way, reads go to a second, read-only connection (its own thread):
under WAL it reads the last committed state without waiting for the writer, so a long write
(queueing a post for a million subscribers takes about 2 s) does not hold up every reply that
reads the database, and no read sees another task's uncommitted rows. When the writer is
idle, and for a read inside the task's own transaction or about the writer's last statement
(`changes()`), reads stay on the writer.

What a write means to others (the delivery worker's listeners, say) is told through
`after_commit`: inside a transaction it waits for the outermost COMMIT, and a rollback
drops it, so no one hears of a change that never happened.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
_CONTENT_TABLES = re.compile(
    r"\b(articles|facts|fact_texts|milestones|milestone_texts|question_phrasings)\b", re.I
)
# Reads that are about the writer connection itself, not about the data.
_WRITER_STATE = re.compile(r"\b(changes|total_changes|last_insert_rowid)\s*\(|^\s*PRAGMA\b", re.I)


class Db:
    def __init__(
        self, conn: aiosqlite.Connection, reader: aiosqlite.Connection | None = None
    ) -> None:
        self.conn = conn
        self.reader = reader
        self.lock = asyncio.Lock()
        self._in_tx: asyncio.Task[Any] | None = None
        self._tx_touched_content = False
        self._on_commit: list[Callable[[], None]] = []  # told when the open transaction commits
        # Bumped after every committed write that names a table users read (articles, facts,
        # milestones), so rendered pages can be cached until the content changes (bot.content).
        # Matching the SQL here, rather than in each repository verb, means no verb can forget.
        self.content_version = 0

    def _wrote(self, sql: str) -> None:
        if _CONTENT_TABLES.search(sql):
            if self._in_tx is asyncio.current_task():
                self._tx_touched_content = True
            else:
                self.content_version += 1

    def _reading(self, sql: str) -> aiosqlite.Connection:
        """The connection a read goes to (see the module's docstring)."""
        if (
            self.reader is None
            or not self.lock.locked()
            or self._in_tx is asyncio.current_task()
            or _WRITER_STATE.search(sql)
        ):
            return self.conn
        return self.reader

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._reading(sql).execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._reading(sql).execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write; returns lastrowid (for INSERT) and joins an open transaction."""
        if self._in_tx is asyncio.current_task():
            async with self.conn.execute(sql, params) as cur:
                rowid = cur.lastrowid or 0
        else:
            async with self.lock, self.conn.execute(sql, params) as cur:
                rowid = cur.lastrowid or 0
        self._wrote(sql)
        return rowid

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        if self._in_tx is asyncio.current_task():
            await self.conn.executemany(sql, rows)
        else:
            async with self.lock:
                await self.conn.executemany(sql, rows)
        self._wrote(sql)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` once what this task wrote is committed: at once outside a
        transaction; inside one (joined ones included) after the outermost COMMIT, in the
        order queued, and never if it rolls back."""
        if self._in_tx is asyncio.current_task():
            self._on_commit.append(callback)
        else:
            _call(callback)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Db]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

        Inside a transaction of the same task it joins that one, so a repository verb that
        needs its own transaction can also run as one step of a larger one; what its steps
        queued with `after_commit` waits for this outermost COMMIT.
        """
        if self._in_tx is asyncio.current_task():
            yield self
            return
        async with self.lock:
            self._in_tx = asyncio.current_task()
            self._tx_touched_content = False
            self._on_commit = []
            committed = False
            try:
                await _through(self.conn.execute("BEGIN IMMEDIATE"))
                yield self
                await _through(self.conn.execute("COMMIT"))
                committed = True
                if self._tx_touched_content:
                    self.content_version += 1
            finally:
                # Whatever ended it (an error, a cancellation, even during BEGIN or COMMIT):
                # the shared connection must not stay inside a transaction.
                if not committed and self.conn.in_transaction:
                    await _through(self.conn.execute("ROLLBACK"))
                self._in_tx = None
                told = self._on_commit if committed else []  # a rollback drops them
                self._on_commit = []
        # Told with the transaction over and its lock free, as a write outside one is.
        for callback in told:
            _call(callback)


def _call(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:  # the write is committed: one callback's bug must not undo or hide it
        log.exception("after-commit callback %r failed", callback)


async def _through(step: Awaitable[Any]) -> None:
    """Await `step` to its end even if the task is cancelled meanwhile, then re-raise the
    cancellation: a statement handed to aiosqlite's thread runs anyway, and what the
    transaction does next must follow what really happened."""
    running = asyncio.ensure_future(step)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        await running
        raise
