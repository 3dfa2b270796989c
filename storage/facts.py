"""Facts: short sourced statements per language, grouped by topic."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import aiosqlite

from storage._time import utcnow_iso
from storage.models import Fact, FactRecord, FactsPage, Source
from storage.sql import Db

# The text in the asked language, else Russian, else English, else any (see bot.i18n).
_PICK_TEXT = """
    (SELECT language || char(31) || text FROM fact_texts t WHERE t.fact_id = f.id
     ORDER BY t.language = :lang DESC, t.language = 'ru' DESC, t.language = 'en' DESC
     LIMIT 1)
"""

_RECORD_SELECT = """
    SELECT f.id, f.key, f.topic, f.article_id, f.retired, f.edited_by,
           a.source, a.url, a.published_at,
           (SELECT json_group_object(t.language, t.text) FROM fact_texts t
            WHERE t.fact_id = f.id) AS texts
    FROM facts f JOIN articles a ON a.id = f.article_id
"""

# A page of facts (every fact, or those on /facts: :retired 0) in /facts order, the page brought
# within the pages there are, each row with the list's total, its retired facts and the page.
_PAGE = f"""
    WITH listed AS (SELECT f.retired FROM facts f JOIN articles a ON a.id = f.article_id
                    WHERE :retired OR NOT f.retired),
         counts AS (SELECT count(*) AS total, coalesce(sum(retired), 0) AS retired FROM listed),
         shown AS (SELECT max(1, min(:page, (total + :size - 1) / :size)) AS page FROM counts)
    SELECT page_rows.*, counts.total, counts.retired, shown.page
    FROM ({_RECORD_SELECT} WHERE :retired OR NOT f.retired ORDER BY f.position, f.id
          LIMIT :size OFFSET (SELECT (page - 1) * :size FROM shown)) AS page_rows,
         counts, shown
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
        """Insert or update the fact with this key and its texts, in one transaction.

        A fact an admin has changed is left as they made it.
        """
        async with self.db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO facts (key, topic, position, article_id, keywords, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET
                    topic = excluded.topic, position = excluded.position,
                    article_id = excluded.article_id, keywords = excluded.keywords,
                    updated_at = excluded.updated_at
                WHERE facts.edited_by IS NULL
                  AND (facts.topic, facts.position, facts.article_id, facts.keywords)
                   IS NOT (excluded.topic, excluded.position, excluded.article_id,
                           excluded.keywords)
                """,
                (key, topic, position, article_id, keywords, utcnow_iso()),
            )
            row = await tx.fetchone("SELECT id, edited_by FROM facts WHERE key = ?", (key,))
            assert row is not None
            fact_id = int(row[0])
            if row[1] is not None:  # an admin changed it: their version wins over the seed
                return fact_id
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

    # ------------------------------------------------------------------ admins' verbs

    async def records(self) -> list[FactRecord]:
        """Every fact, retired ones too, in /facts order, with all its languages."""
        rows = await self.db.fetchall(_RECORD_SELECT + " ORDER BY f.position, f.id")
        return [_record(row) for row in rows]

    async def record(self, fact_id: int) -> FactRecord | None:
        row = await self.db.fetchone(_RECORD_SELECT + " WHERE f.id = ?", (fact_id,))
        return None if row is None else _record(row)

    async def page(self, page: int, size: int, *, retired: bool = True) -> FactsPage:
        """Page `page` (brought within the pages there are) of the facts in /facts order, with
        the list's counts: one query, so a screen costs the same however many facts there are.
        `retired=False` leaves the retired facts out of the list."""
        rows = await self.db.fetchall(_PAGE, {"page": page, "size": size, "retired": retired})
        if not rows:  # no facts at all: the one page is empty
            return FactsPage((), 1, 1, 0, 0)
        total, retired_count, shown = (int(v) for v in tuple(rows[0])[-3:])
        return FactsPage(
            facts=tuple(_record(row) for row in rows),
            page=shown,
            pages=-(-total // size),
            active=total - retired_count,
            retired=retired_count,
        )

    async def add(
        self, *, key: str, topic: str, article_id: int, texts: Mapping[str, str], by: int
    ) -> int:
        """A new fact, last of its topic on /facts."""
        async with self.db.transaction() as tx:
            fact_id = await tx.execute(
                """
                INSERT INTO facts (key, topic, position, article_id, updated_at, edited_by)
                VALUES (?, ?, (SELECT COALESCE(max(position), 0) + 1 FROM facts), ?, ?, ?)
                """,
                (key, topic, article_id, utcnow_iso(), by),
            )
            await tx.executemany(
                "INSERT INTO fact_texts (fact_id, language, text) VALUES (?, ?, ?)",
                [(fact_id, lang, text) for lang, text in texts.items()],
            )
        return fact_id

    async def set_text(self, fact_id: int, language: str, text: str, by: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO fact_texts (fact_id, language, text) VALUES (?, ?, ?) "
                "ON CONFLICT (fact_id, language) DO UPDATE SET text = excluded.text",
                (fact_id, language, text),
            )
            await self._touch(tx, fact_id, by)

    async def set_topic(self, fact_id: int, topic: str, by: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE facts SET topic = ? WHERE id = ?", (topic, fact_id))
            await self._touch(tx, fact_id, by)

    async def set_source(self, fact_id: int, article_id: int, by: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE facts SET article_id = ? WHERE id = ?", (article_id, fact_id))
            await self._touch(tx, fact_id, by)

    async def retire(self, fact_id: int, by: int, retired: bool = True) -> None:
        """Take the fact off /facts (or put it back); it stays in the store."""
        async with self.db.transaction() as tx:
            await tx.execute("UPDATE facts SET retired = ? WHERE id = ?", (int(retired), fact_id))
            await self._touch(tx, fact_id, by)

    @staticmethod
    async def _touch(tx: Db, fact_id: int, by: int) -> None:
        await tx.execute(
            "UPDATE facts SET edited_by = ?, updated_at = ? WHERE id = ?",
            (by, utcnow_iso(), fact_id),
        )


def _record(row: aiosqlite.Row) -> FactRecord:
    return FactRecord(
        id=row[0],
        key=row[1],
        topic=row[2],
        article_id=row[3],
        texts=json.loads(row[9]),
        retired=bool(row[4]),
        edited_by=row[5],
        source=Source(name=row[6], url=row[7], published=dt.date.fromisoformat(row[8][:10])),
    )
