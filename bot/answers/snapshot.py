"""The facts as the answer service holds them in memory, for one version of the index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.answers.tables import WordSet
from bot.answers.vocabulary import Expansion, Vocabulary
from storage.models import Fact
from storage.questions import Phrasing


@dataclass(frozen=True)
class Snapshot:
    """The facts as the answer service sees them, for one version of the index."""

    version: int
    facts: Mapping[str, Mapping[int, Fact]]  # language -> fact id -> fact in that language
    ids: Mapping[str, int]  # fact key -> id
    order: Mapping[int, int]  # fact id -> place in the seed order (importance)
    vocabulary: Vocabulary
    synonyms: Sequence[tuple[WordSet, Expansion]]  # each group and what it finds
    phrasings: Sequence[Phrasing] = ()  # questions the editors tied to a fact (/questions)

    @property
    def size(self) -> int:
        return len(self.ids)
