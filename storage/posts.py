"""Admins' posts: what they typed and chose for each update they published.

The update (kind, author, time, texts as subscribers read them) lives in the outbox; the
post's article per language and its milestone are ordinary rows of the news store, named by
the post's token (see storage/migrations/0005_admin.sql).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import aiosqlite

from storage._time import utcnow_iso
from storage.models import Post, PostText
from storage.sql import Db

# A post with its texts in one row (a JSON array of [language, body, place]): a page of
# posts is one statement, not one more per post.
_SELECT = """
    SELECT p.update_id, u.kind, p.token, p.stage, p.happened_on, p.source_url, u.created_by,
           u.created_at, p.edited_at, p.withdrawn_at,
           (SELECT json_group_array(json_array(t.language, t.body, t.place))
            FROM post_texts t WHERE t.update_id = p.update_id)
    FROM posts p JOIN updates u ON u.id = p.update_id
"""


def article_key(token: str, language: str) -> str:
    return f"admin-{token}-{language}"


def milestone_key(token: str) -> str:
    return f"admin-{token}"


class PostRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def save(
        self,
        *,
        update_id: int,
        token: str,
        stage: int | None,
        happened_on: dt.date | None,
        source_url: str | None,
        texts: Mapping[str, PostText],
    ) -> None:
        """Record a freshly published post (its update already exists)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO posts (update_id, token, stage, happened_on, source_url) "
                "VALUES (?, ?, ?, ?, ?)",
                (update_id, token, stage, _iso(happened_on), source_url),
            )
            await self._put_texts(tx, update_id, texts)

    async def edit(
        self,
        update_id: int,
        *,
        edited_by: int,
        stage: int | None,
        happened_on: dt.date | None,
        source_url: str | None,
        texts: Mapping[str, PostText],
    ) -> None:
        """Replace what the post says (its languages are replaced as a whole)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE posts SET stage = ?, happened_on = ?, source_url = ?, edited_at = ?, "
                "edited_by = ? WHERE update_id = ?",
                (stage, _iso(happened_on), source_url, utcnow_iso(), edited_by, update_id),
            )
            await tx.execute("DELETE FROM post_texts WHERE update_id = ?", (update_id,))
            await self._put_texts(tx, update_id, texts)

    async def withdraw(self, update_id: int, withdrawn_by: int) -> bool:
        """Mark the post withdrawn and unlink its update from the article and milestone that
        are about to be deleted. False if it was not there or already withdrawn."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE posts SET withdrawn_at = ?, withdrawn_by = ? "
                "WHERE update_id = ? AND withdrawn_at IS NULL",
                (utcnow_iso(), withdrawn_by, update_id),
            )
            changed = int(await tx.fetchval("SELECT changes()"))
            await tx.execute(
                "UPDATE updates SET article_id = NULL, milestone_id = NULL "
                "WHERE id = ? AND EXISTS (SELECT 1 FROM posts WHERE update_id = ?)",
                (update_id, update_id),
            )
        return changed > 0

    async def get(self, update_id: int) -> Post | None:
        row = await self.db.fetchone(_SELECT + " WHERE p.update_id = ?", (update_id,))
        return None if row is None else _post(row)

    async def recent(self, limit: int, offset: int = 0) -> list[Post]:
        """Newest first, withdrawn ones included."""
        rows = await self.db.fetchall(
            _SELECT + " ORDER BY p.update_id DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_post(row) for row in rows]

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM posts"))

    @staticmethod
    async def _put_texts(tx: Db, update_id: int, texts: Mapping[str, PostText]) -> None:
        await tx.executemany(
            "INSERT INTO post_texts (update_id, language, body, place) VALUES (?, ?, ?, ?)",
            [(update_id, lang, text.body, text.place) for lang, text in texts.items()],
        )


def _post(row: aiosqlite.Row) -> Post:
    texts: list[tuple[str, str, str]] = json.loads(row[10])
    return Post(
        update_id=row[0],
        kind=row[1],
        token=row[2],
        texts={lang: PostText(body, place) for lang, body, place in texts if body},
        places={lang: place for lang, _, place in texts if place},
        stage=row[3],
        happened_on=None if row[4] is None else dt.date.fromisoformat(row[4]),
        source_url=row[5],
        created_by=row[6],
        created_at=row[7],
        edited_at=row[8],
        withdrawn_at=row[9],
    )


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()
