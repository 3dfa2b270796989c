"""The news store: articles from seeds, feeds and admins, with a full-text index."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import aiosqlite

from storage._time import utcnow_iso
from storage.models import Article
from storage.sql import Db

_COLUMNS = "id, origin, source, url, language, title, body, author, published_at"


def _article(row: aiosqlite.Row) -> Article:
    return Article(*row)


def content_hash(title: str, body: str) -> str:
    """Identity of an article's content, for dedupe across origins."""
    normalised = " ".join(f"{title}\n{body}".split()).casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()


class ArticleRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def upsert_keyed(
        self,
        *,
        key: str,
        origin: str,
        source: str,
        url: str | None,
        language: str,
        title: str,
        body: str,
        author: str | None,
        published_at: str,
    ) -> int:
        """Insert the article with this stable key, or update it in place; returns its id."""
        await self.db.execute(
            """
            INSERT INTO articles (key, origin, source, url, language, title, body, author,
                                  published_at, content_hash, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET
                source = excluded.source, url = excluded.url, language = excluded.language,
                title = excluded.title, body = excluded.body, author = excluded.author,
                published_at = excluded.published_at, content_hash = excluded.content_hash
            WHERE articles.content_hash != excluded.content_hash
               OR articles.url IS NOT excluded.url OR articles.author IS NOT excluded.author
               OR articles.published_at != excluded.published_at
               OR articles.source != excluded.source
            """,
            (
                key, origin, source, url or None, language, title, body, author or None,
                published_at, content_hash(title, body), utcnow_iso(),
            ),
        )  # fmt: skip
        return int(await self.db.fetchval("SELECT id FROM articles WHERE key = ?", (key,)))

    async def add_from_feed(
        self,
        *,
        key: str,
        source: str,
        url: str | None,
        guid: str | None,
        language: str,
        title: str,
        body: str,
        published_at: str,
    ) -> int | None:
        """Store a feed item unless the store already has it (same key, URL or text).

        Returns the new article's id, or None when it was a duplicate; only new articles
        are announced.
        """
        async with self.db.transaction() as tx:
            article_id = await tx.execute(
                """
                INSERT INTO articles (key, origin, source, url, guid, language, title, body,
                                      published_at, content_hash, created_at)
                SELECT ?, 'feed', ?, ?, ?, ?, ?, ?, ?, ?, ?
                WHERE ? IS NULL OR NOT EXISTS (SELECT 1 FROM articles WHERE url = ?)
                ON CONFLICT DO NOTHING
                """,
                (
                    key, source, url, guid, language, title, body, published_at,
                    content_hash(title, body), utcnow_iso(), url, url,
                ),
            )  # fmt: skip
            inserted = await tx.fetchval("SELECT changes()")
        return article_id if inserted else None

    async def save_admin(
        self,
        *,
        key: str,
        source: str,
        url: str | None,
        language: str,
        title: str,
        body: str,
        published_at: str,
    ) -> int | None:
        """Store or update an admin post's article; None if another article has the same text."""
        try:
            return await self.upsert_keyed(
                key=key,
                origin="admin",
                source=source,
                url=url,
                language=language,
                title=title,
                body=body,
                author=None,
                published_at=published_at,
            )
        except aiosqlite.IntegrityError:  # articles_hash: the store already has this text
            return None

    async def id_of(self, key: str) -> int | None:
        value = await self.db.fetchval("SELECT id FROM articles WHERE key = ?", (key,))
        return None if value is None else int(value)

    async def delete_keyed(self, keys: Iterable[str]) -> int:
        """Delete these articles, except those a fact cites as its source; returns how many."""
        deleted = 0
        for key in keys:
            await self.db.execute(
                "DELETE FROM articles WHERE key = ? "
                "AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.article_id = articles.id)",
                (key,),
            )
            deleted += int(await self.db.fetchval("SELECT changes()"))
        return deleted

    async def get(self, article_id: int) -> Article | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        return None if row is None else _article(row)

    async def latest(self, limit: int, offset: int = 0, prefer: str = "") -> list[Article]:
        """Newest first, all languages; on the same day the `prefer` language comes first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM articles "
            "ORDER BY substr(published_at, 1, 10) DESC, language = ? DESC, published_at DESC, "
            "id DESC LIMIT ? OFFSET ?",
            (prefer, limit, offset),
        )
        return [_article(r) for r in rows]

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM articles"))
