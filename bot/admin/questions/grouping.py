"""Open questions in groups: one group per question asked in other words (bot.phrasing:
typos, case endings, the other language where the synonym tables join them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import phrasing
from bot.i18n import LANGUAGES
from storage import Store
from storage.questions import Question


@dataclass(frozen=True)
class Group:
    """Open questions that are one question. A group is named by its newest question's id,
    so its buttons keep working while more people ask."""

    questions: tuple[Question, ...]  # newest first

    @property
    def key(self) -> int:
        return self.questions[0].id

    @property
    def languages(self) -> list[str]:
        found = {q.language for q in self.questions}
        return [lang for lang in LANGUAGES if lang in found]

    @property
    def waiting(self) -> int:
        return sum(q.waiting for q in self.questions)


def group(questions: list[Question]) -> list[Group]:
    """Questions (newest first) in groups, most asked first, then newest."""
    found: list[list[Question]] = []
    for question in questions:
        home = next(
            (g for g in found if any(phrasing.same(question.signature, q.signature) for q in g)),
            None,
        )
        if home is None:
            found.append([question])
        else:
            home.append(question)
    groups = [Group(tuple(g)) for g in found]
    return sorted(groups, key=lambda g: (-len(g.questions), -g.key))


async def groups(store: Store) -> list[Group]:
    """The editors' list as it is now: one query."""
    return group(await store.questions.open())


async def find(store: Store, key: int) -> Group | None:
    """The group that holds question `key` now; None once it is closed."""
    return next((g for g in await groups(store) if key in {q.id for q in g.questions}), None)
