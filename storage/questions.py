"""Questions asked in plain text: what the bot answered, the editors' list, the askers who
want to be told, the phrasings editors tied to facts, and the answer rate for /stats.

A question is `open` (on the editors' list) when the bot had no fact for it or the asker
pressed 👎; the editors close it as `answered`, `linked` or `dismissed`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storage._time import utcnow_iso
from storage.sql import Db

# What counts as answered for the answer rate: the bot's own answers with a fact or the
# status, and the questions the editors answered or linked afterwards.
_RATES = """
    WITH periods (days, since) AS (
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
    SELECT p.days, q.language, count(*),
           sum(CASE WHEN (q.answer IN ('facts', 'status', 'news', 'reply')
                          AND q.state NOT IN ('open', 'dismissed'))
                      OR q.state IN ('answered', 'linked') THEN 1 ELSE 0 END),
           sum(q.feedback = 1), sum(q.feedback = -1)
    FROM periods p JOIN questions q ON q.asked_at >= p.since
    GROUP BY p.days, q.language ORDER BY p.days, q.language
"""
_SELECT = """
    SELECT q.id, q.asked_at, q.language, q.text, q.signature, q.answer,
           (SELECT count(*) FROM question_waiters w WHERE w.question_id = q.id)
    FROM questions q
"""


@dataclass(frozen=True)
class Question:
    id: int
    asked_at: str  # ISO 8601 UTC
    language: str
    text: str
    signature: str
    answer: str
    waiting: int  # chats that asked to be told


@dataclass(frozen=True)
class Phrasing:
    signature: str
    fact_id: int


@dataclass(frozen=True)
class Rate:
    """Questions asked and answered in one language over a period."""

    language: str
    asked: int
    answered: int


@dataclass(frozen=True)
class Feedback:
    up: int
    down: int


@dataclass(frozen=True)
class PeriodRates:
    """What /stats shows of one period: the answer rate per language, the 👍 / 👎 counts."""

    days: int
    rates: tuple[Rate, ...]  # one per language asked in, by language
    feedback: Feedback


class QuestionRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    async def record(
        self,
        *,
        question_id: int | None = None,
        text: str,
        language: str,
        signature: str,
        answer: str,
        top: str | None,
        listed: bool,
        at: str | None = None,
    ) -> int:
        """Store one question (under `question_id` when the caller chose it); `listed` puts it
        on the editors' list at once."""
        return await self.db.execute(
            "INSERT INTO questions (id, asked_at, language, text, signature, answer, top, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (question_id, at or utcnow_iso(), language, text, signature, answer, top,
             "open" if listed else "none"),
        )  # fmt: skip

    async def get(self, question_id: int) -> Question | None:
        rows = await self.db.fetchall(_SELECT + " WHERE q.id = ?", (question_id,))
        return Question(*rows[0]) if rows else None

    async def wait(self, question_id: int, chat_id: int) -> bool:
        """Keep the chat to tell it the editors' answer; False if the question is gone or
        closed already."""
        async with self.db.transaction() as tx:
            state = await tx.fetchval("SELECT state FROM questions WHERE id = ?", (question_id,))
            if state != "open":
                return False
            await tx.execute(
                "INSERT OR IGNORE INTO question_waiters (question_id, chat_id) VALUES (?, ?)",
                (question_id, chat_id),
            )
        return True

    async def rate(self, question_id: int, feedback: int) -> bool:
        """The asker's 👍 (1) or 👎 (-1), once; 👎 puts the question on the editors' list."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE questions SET feedback = ?, "
                "state = CASE WHEN ? < 0 AND state = 'none' THEN 'open' ELSE state END "
                "WHERE id = ? AND feedback IS NULL",
                (feedback, feedback, question_id),
            )
            return bool(await tx.fetchval("SELECT changes()"))

    async def open(self) -> list[Question]:
        """The editors' list, newest first."""
        rows = await self.db.fetchall(_SELECT + " WHERE q.state = 'open' ORDER BY q.id DESC")
        return [Question(*row) for row in rows]

    async def waiting_chats(self, question_ids: Iterable[int]) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT chat_id FROM question_waiters "
            "WHERE question_id IN (SELECT value FROM json_each(?)) ORDER BY chat_id",
            (json.dumps(list(question_ids)),),
        )
        return [int(r[0]) for r in rows]

    async def close(
        self, question_ids: Sequence[int], state: str, fact_id: int | None = None
    ) -> list[int]:
        """Close open questions; returns the chats that waited (their ids are forgotten)."""
        async with self.db.transaction() as tx:
            chats = await self.waiting_chats(question_ids)
            ids = json.dumps(list(question_ids))
            await tx.execute(
                "UPDATE questions SET state = ?, fact_id = ?, closed_at = ? "
                "WHERE id IN (SELECT value FROM json_each(?)) AND state = 'open'",
                (state, fact_id, utcnow_iso(), ids),
            )
            await tx.execute(
                "DELETE FROM question_waiters "
                "WHERE question_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
        return chats

    async def add_phrasings(self, signatures: Iterable[str], fact_id: int, by: int) -> None:
        await self.db.executemany(
            "INSERT INTO question_phrasings (signature, fact_id, added_by, added_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (signature) DO UPDATE SET fact_id = excluded.fact_id",
            [(s, fact_id, by, utcnow_iso()) for s in set(signatures) if s],
        )

    async def phrasings(self) -> list[Phrasing]:
        """Every phrasing of a fact still on /facts."""
        rows = await self.db.fetchall(
            "SELECT p.signature, p.fact_id FROM question_phrasings p "
            "JOIN facts f ON f.id = p.fact_id WHERE NOT f.retired"
        )
        return [Phrasing(r[0], int(r[1])) for r in rows]

    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete the questions asked before `cutoff`, with the chats that waited on them."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM questions WHERE asked_at < ?", (cutoff.isoformat(timespec="seconds"),)
            )
            return int(await tx.fetchval("SELECT changes()"))

    async def periods(self, now: dt.datetime, days: Sequence[int]) -> list[PeriodRates]:
        """The answer rate per language and the 👍 / 👎 counts over each of the last `days`
        days before `now`: one grouped query for every period."""
        periods = [(d, (now - dt.timedelta(days=d)).isoformat(timespec="seconds")) for d in days]
        rows = await self.db.fetchall(_RATES, (json.dumps(periods),))
        found: dict[int, list[Rate]] = {d: [] for d in days}
        feedback: dict[int, tuple[int, int]] = {}
        for period, language, asked, answered, up, down in rows:
            found[period].append(Rate(language, int(asked), int(answered or 0)))
            was_up, was_down = feedback.get(period, (0, 0))
            feedback[period] = (was_up + int(up or 0), was_down + int(down or 0))
        return [PeriodRates(d, tuple(found[d]), Feedback(*feedback.get(d, (0, 0)))) for d in days]
