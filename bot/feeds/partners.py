"""The partner check: is a visa or readmission term about Kazakhstan and the EU?

Only when one of them, or the talks or "the sides", is named in its own sentence (or title),
and no third country nearer to it: EU–Uzbekistan visa talks and Kazakhstan–Russia
readmission stay out.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.feeds.matching import Hits


@dataclass(frozen=True, slots=True)
class Roles:
    """What the keyword file's groups stand for in the partner check (its [roles] table)."""

    partners: frozenset[str] = frozenset()  # groups naming the two sides: the EU, Kazakhstan
    foreign: frozenset[str] = frozenset()  # groups naming third countries
    topic: frozenset[str] = frozenset()  # groups whose partner is checked: visa, readmission
    ties: frozenset[str] = frozenset()  # groups that tie a topic term to the title's sides


def partner_ok(roles: Roles, hits: Hits, sentence: int, position: int) -> bool:
    """Is the topic term at `position` tied to the two sides: one of them, or the talks or
    the sides (roles.ties), named in its sentence, and no third country nearer to it?"""

    def nearest(groups: frozenset[str]) -> int | None:
        distances = [
            abs(p - position) for group in groups for s, p in hits.get(group, ()) if s == sentence
        ]
        return min(distances) if distances else None

    ours = nearest(roles.partners)
    foreign = nearest(roles.foreign)
    if foreign is not None:
        return ours is not None and ours < foreign
    # "The sides also discussed visas": the talks or the sides point back to the title's.
    return ours is not None or nearest(roles.ties) is not None
