"""Facts: short sourced statements per language, grouped by topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import aiosqlite

from storage._time import utcnow_iso
from storage.models import Fact, Source
from storage.sql import Db

# The text in the asked language, else Russian, else English, else any (see bot.i18n).
_PICK_TEXT = """
    (SELECT language || char(31) || text FROM fact_texts t WHERE t.fact_id = f.id
     ORDER BY t.language = :lang DESC, t.language = 'ru' DESC, t.language = 'en' DESC
     LIMIT 1)
"""


def _fact(row: aiosqlite.Row) -> Fact:
    language, _, text = str(row[3]).partition("\x1f")
    return Fact(
        id=row[0],
        key=row[1],
        topic=row[2],
        language=language,
        text=text,
        source=Source(name=row[4], url=row[5], published=dt.date.fromisoformat(row[6][:10])),
    )


class FactRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def upsert_keyed(
        self,
        *,
        key: str,
        topic: str,
        position: int,
        article_id: int,
        keywords: str,
        texts: Mapping[str, str],
    ) -> int:
        """Insert or update the fact with this key and its texts, in one transaction."""
        async with self.db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO facts (key, topic, position, article_id, keywords, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET
                    topic = excluded.topic, position = excluded.position,
                    article_id = excluded.article_id, keywords = excluded.keywords,
                    updated_at = excluded.updated_at
                WHERE (facts.topic, facts.position, facts.article_id, facts.keywords)
                   IS NOT (excluded.topic, excluded.position, excluded.article_id,
                           excluded.keywords)
                """,
                (key, topic, position, article_id, keywords, utcnow_iso()),
            )
            fact_id = int(await tx.fetchval("SELECT id FROM facts WHERE key = ?", (key,)))
            await tx.executemany(
                """
                INSERT INTO fact_texts (fact_id, language, text) VALUES (?, ?, ?)
                ON CONFLICT (fact_id, language) DO UPDATE SET text = excluded.text
                WHERE fact_texts.text != excluded.text
                """,
                [(fact_id, lang, text) for lang, text in texts.items()],
            )
        return fact_id

    async def active(self, language: str) -> list[Fact]:
        """Every fact not retired, in topic order then position, each in the best language."""
        rows = await self.db.fetchall(
            f"""
            SELECT f.id, f.key, f.topic, {_PICK_TEXT}, a.source, a.url, a.published_at
            FROM facts f JOIN articles a ON a.id = f.article_id
            WHERE NOT f.retired
            ORDER BY f.position, f.id
            """,
            {"lang": language},
        )
        return [_fact(r) for r in rows]

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM facts WHERE NOT retired"))
