"""Full-text search over facts (facts_fts) and articles (articles_fts) for plain questions.

The caller builds the FTS5 query (bot.answers.text.fts_query: every token quoted); this module
only runs it. A query FTS5 still refuses is a bug, not the user's fault: it is logged and
answered with no hits, so a question can never raise.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable

import aiosqlite

from storage.models import FactTerm, SearchHit
from storage.sql import Db

log = logging.getLogger(__name__)

# Keywords were written to be searched: a hit there weighs more than one in running text.
_MATCH_FACTS = """
    SELECT f.fact_id, f.language, bm25(facts_fts, 1.0, 2.0) AS score
    FROM facts_fts f JOIN facts x ON x.id = f.fact_id
    WHERE facts_fts MATCH ? AND NOT x.retired
    ORDER BY score LIMIT ?
"""
# A word in the title weighs twice one in the body.
_MATCH_ARTICLES = """
    SELECT a.id, a.language, bm25(articles_fts, 2.0, 1.0) AS score
    FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH ?
    ORDER BY score LIMIT ?
"""


class SearchRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def fact_index_version(self) -> int:
        """Moves whenever a fact, its text, keywords or source changes."""
        return int(await self.db.fetchval("SELECT version FROM fact_index_state WHERE id = 1"))

    async def fact_terms(self) -> list[FactTerm]:
        """Every term of the fact index with its fact and language, retired facts left out."""
        rows = await self.db.fetchall(
            """
            SELECT v.term, f.fact_id, f.language
            FROM facts_fts_terms v
            JOIN facts_fts f ON f.rowid = v.doc
            JOIN facts x ON x.id = f.fact_id
            WHERE NOT x.retired
            """
        )
        return [FactTerm(str(r[0]), int(r[1]), str(r[2])) for r in rows]

    async def match_facts(self, query: str, limit: int) -> list[SearchHit]:
        """Fact rows matching an FTS5 query, best first; retired facts left out."""
        if not query:
            return []
        return await _hits(self.db.fetchall(_MATCH_FACTS, (query, limit)))

    async def match_articles(self, query: str, limit: int) -> list[SearchHit]:
        """Articles matching an FTS5 query, best first."""
        if not query:
            return []
        return await _hits(self.db.fetchall(_MATCH_ARTICLES, (query, limit)))


async def _hits(rows: Awaitable[list[aiosqlite.Row]]) -> list[SearchHit]:
    try:
        found = await rows
    except sqlite3.OperationalError as exc:
        log.warning("full-text query refused (%s); answering without it", exc)
        return []
    return [SearchHit(int(r[0]), str(r[1]), float(r[2])) for r in found]
