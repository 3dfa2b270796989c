"""The verdict on one item: the keyword file's rules applied to its title and sentences.

The item is read as a whole: its title, then its summary cut into sentences. A rule names the
groups of terms that must occur together in one *unit*: the title alone, or one sentence
together with the title's terms (a headline names what its sentences are about, unless it
names a third country). Each unit's verdict is its first matching rule; one unit let in lets
the item in, and the decision carries the rule's name, so a log line or the admins' "kept
out" list says why. Rules over the whole text only explain why an item stayed out; no rule
matching means "off topic". Words scattered over unrelated sentences thus never combine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.feeds.matching import TITLE, Hits, Term, TermIndex
from bot.feeds.partners import Roles, partner_ok


@dataclass(frozen=True, slots=True)
class Decision:
    """What the judgement came to, and the rule that decided."""

    relevant: bool
    rule: str
    near_miss: bool = False  # kept out, but close enough for an admin to look at


Judge = Callable[[str, str], Decision]  # (title, summary) -> Decision


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    relevant: bool
    scope: str  # title | sentence | text
    all: frozenset[str]  # every one of these groups in the unit
    none: frozenset[str]  # none of these in the unit
    partner: bool  # the partner check must pass (bot.feeds.partners)
    near_miss: bool  # shown to admins when it keeps an item out


class Relevance:
    """`relevance(title, summary)`: the Decision of the first rule that matches."""

    def __init__(
        self,
        terms: Sequence[Term],
        rules: Sequence[Rule],
        partners: frozenset[str] = frozenset(),
        foreign: frozenset[str] = frozenset(),
        topic: frozenset[str] = frozenset(),
        ties: frozenset[str] = frozenset(),
    ) -> None:
        self.rules = tuple(rules)
        self.roles = Roles(partners, foreign, topic, ties)
        self._index = TermIndex(terms)

    def hits(self, text: str, first_sentence: int = 1) -> dict[str, list[tuple[int, int]]]:
        """Each group found in `text`, with the sentence and word position of every term."""
        return self._index.hits(text, first_sentence)

    def groups_in(self, text: str) -> frozenset[str]:
        """The names of the groups whose terms occur in `text`."""
        return frozenset(self.hits(text))

    def __call__(self, title: str, summary: str = "") -> Decision:
        title_hits = self.hits(title, TITLE)
        body_hits = self.hits(summary)
        if not title_hits and not body_hits:
            return Decision(False, "off-topic")
        # Each unit's verdict is its first matching rule; one unit in lets the item in.
        order = {rule.name: i for i, rule in enumerate(self.rules)}
        kept_by: list[Rule] = []
        units = sorted({s for hits in body_hits.values() for s, _ in hits} | {TITLE})
        for unit in units:
            for rule in self.rules:
                if rule.scope == "text" or (rule.scope == "title" and unit != TITLE):
                    continue
                if self._unit_matches(rule, title_hits, body_hits, unit):
                    if rule.relevant:
                        return Decision(True, rule.name)
                    kept_by.append(rule)
                    break
        if not kept_by:  # no unit's rule: the whole text may still explain it
            kept_by = [
                rule
                for rule in self.rules
                if rule.scope == "text" and self._unit_matches(rule, title_hits, body_hits, None)
            ]
        if not kept_by:
            return Decision(False, "off-topic")
        # The explanation: the earliest rule in the file that kept a unit out.
        rule = min(kept_by, key=lambda r: order[r.name])
        return Decision(rule.relevant, rule.name, not rule.relevant and rule.near_miss)

    def _unit_matches(self, rule: Rule, title: Hits, body: Hits, sentence: int | None) -> bool:
        def present(group: str) -> bool:
            if group in title:
                return True
            if sentence is None:
                return group in body
            return any(s == sentence for s, _ in body.get(group, ()))

        if not all(present(g) for g in rule.all) or any(present(g) for g in rule.none):
            return False
        if sentence not in (None, TITLE) and any(g in title for g in self.roles.foreign):
            # A title naming a third country ("Kazakhstan and Uzbekistan ...") lends nothing:
            # whose side a borrowed name is on cannot be told.
            own = {g for g in rule.all if any(s == sentence for s, _ in body.get(g, ()))}
            if own != rule.all:
                return False
        if not rule.partner:
            return True
        # The partner is checked where the topic term is: its sentence, or the title.
        return any(
            partner_ok(self.roles, title if s == TITLE else body, s, position)
            for group in rule.all & self.roles.topic
            for hits in (title.get(group, ()), body.get(group, ()))
            for s, position in hits
            if sentence is None or s in (TITLE, sentence)
        )
