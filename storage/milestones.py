"""Milestones of the negotiations; the latest one of the highest stage is the current status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import aiosqlite

from storage._time import utcnow_iso
from storage.models import Milestone, Source
from storage.sql import Db

# The text in the reader's language, else ru, else en; the place likewise, chosen on its own:
# a language the admin wrote no text in still has its place (its row's text is empty).
_PREFERRED = "x.language = :lang DESC, x.language = 'ru' DESC, x.language = 'en' DESC"
_SELECT = f"""
    SELECT m.id, m.key, m.stage, m.happened_on, t.language,
           (SELECT x.place FROM milestone_texts x WHERE x.milestone_id = m.id
            ORDER BY x.place != '' DESC, {_PREFERRED} LIMIT 1),
           t.text, COALESCE(a.source, m.source), COALESCE(m.url, a.url),
           COALESCE(a.published_at, m.happened_on)
    FROM milestones m
    LEFT JOIN articles a ON a.id = m.article_id
    JOIN milestone_texts t ON t.milestone_id = m.id AND t.language = (
        SELECT x.language FROM milestone_texts x WHERE x.milestone_id = m.id
        ORDER BY x.text != '' DESC, {_PREFERRED} LIMIT 1)
"""


def _milestone(row: aiosqlite.Row) -> Milestone:
    return Milestone(
        id=row[0],
        key=row[1],
        stage=row[2],
        happened_on=dt.date.fromisoformat(row[3]),
        language=row[4],
        place=row[5],
        text=row[6],
        source=Source(name=row[7], url=row[8], published=dt.date.fromisoformat(row[9][:10])),
    )


class MilestoneRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def upsert_keyed(
        self,
        *,
        key: str,
        stage: int,
        happened_on: dt.date,
        article_id: int | None,
        source: str,
        url: str | None,
        texts: Mapping[str, tuple[str, str]],
    ) -> int:
        """Insert or update the milestone with this key; `texts` maps language to (place, text)
        (an empty text where the language has only its place)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO milestones (key, stage, happened_on, article_id, source, url,
                                        created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET
                    stage = excluded.stage, happened_on = excluded.happened_on,
                    article_id = excluded.article_id, source = excluded.source,
                    url = excluded.url
                """,
                (key, stage, happened_on.isoformat(), article_id, source, url, utcnow_iso()),
            )
            milestone_id = int(await tx.fetchval("SELECT id FROM milestones WHERE key = ?", (key,)))
            await tx.executemany(
                """
                INSERT INTO milestone_texts (milestone_id, language, place, text)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (milestone_id, language) DO UPDATE SET
                    place = excluded.place, text = excluded.text
                """,
                [(milestone_id, lang, place, text) for lang, (place, text) in texts.items()],
            )
        return milestone_id

    async def timeline(self, language: str) -> list[Milestone]:
        """All milestones, oldest first."""
        rows = await self.db.fetchall(
            _SELECT + " ORDER BY m.happened_on, m.stage, m.id", {"lang": language}
        )
        return [_milestone(r) for r in rows]

    async def current(self, language: str) -> Milestone | None:
        """The furthest stage reached, its latest milestone."""
        row = await self.db.fetchone(
            _SELECT + " ORDER BY m.stage DESC, m.happened_on DESC, m.id DESC LIMIT 1",
            {"lang": language},
        )
        return None if row is None else _milestone(row)

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM milestones"))

    async def id_of(self, key: str) -> int | None:
        value = await self.db.fetchval("SELECT id FROM milestones WHERE key = ?", (key,))
        return None if value is None else int(value)

    async def delete_keyed(self, key: str) -> bool:
        """Delete the milestone (and its texts); the updates naming it must be unlinked first."""
        await self.db.execute("DELETE FROM milestones WHERE key = ?", (key,))
        return bool(await self.db.fetchval("SELECT changes()"))

    async def places(self, limit: int) -> list[dict[str, str]]:
        """Places of the milestones so far (language -> name), the most recent first."""
        rows = await self.db.fetchall(
            "SELECT m.id, t.language, t.place FROM milestones m "
            "JOIN milestone_texts t ON t.milestone_id = m.id AND t.place != '' "
            "ORDER BY m.happened_on DESC, m.id DESC"
        )
        places: dict[int, dict[str, str]] = {}
        for milestone_id, language, place in rows:
            places.setdefault(int(milestone_id), {})[language] = place
        unique: list[dict[str, str]] = []
        for place in places.values():
            if place not in unique:
                unique.append(place)
        return unique[:limit]
