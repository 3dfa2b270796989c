"""A thin layer over the one aiosqlite connection: reads, writes, and serialised transactions.

aiosqlite runs every statement on one thread, but coroutines interleave between statements:
a write from one task could land inside another task's open transaction and vanish with its
rollback. Every write therefore takes `lock`; a transaction holds it from BEGIN to COMMIT.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

Params = Sequence[Any] | dict[str, Any]


class Db:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.lock = asyncio.Lock()
        self._in_tx: asyncio.Task[Any] | None = None

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write; returns lastrowid (for INSERT) and joins an open transaction."""
        if self._in_tx is asyncio.current_task():
            async with self.conn.execute(sql, params) as cur:
                return cur.lastrowid or 0
        async with self.lock, self.conn.execute(sql, params) as cur:
            return cur.lastrowid or 0

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        if self._in_tx is asyncio.current_task():
            await self.conn.executemany(sql, rows)
            return
        async with self.lock:
            await self.conn.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Db]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

        Inside a transaction of the same task it joins that one, so a repository verb that
        needs its own transaction can also run as one step of a larger one.
        """
        if self._in_tx is asyncio.current_task():
            yield self
            return
        async with self.lock:
            self._in_tx = asyncio.current_task()
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
            finally:
                self._in_tx = None
