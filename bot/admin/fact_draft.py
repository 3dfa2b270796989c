"""A new fact being written in /facts_admin (its topic, its source article, then its text
per language: bot.admin.wording), or a new text for one language of a fact: the draft, its
steps, and what each step shows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.admin import facts, flow, wording
from bot.admin.facts import FACTS
from bot.admin.flow import FactStep
from bot.admin.screens import Screen, button
from bot.content import TOPICS
from bot.i18n import Html, Texts
from storage import Store


@dataclass
class FactDraft(wording.Wording):
    """A new fact being written, or (with `fact_id`) one language of an existing fact."""

    id: str = field(default_factory=lambda: secrets.token_hex(2))
    fact_id: int | None = None
    topic: str | None = None
    article_id: int | None = None
    step: FactStep = FactStep.TOPIC

    def next_step(self) -> FactStep | None:
        """The next question; None when the new fact is complete."""
        if self.topic is None:
            return FactStep.TOPIC
        if self.article_id is None:
            return FactStep.SOURCE
        language = self.next_language()
        if language is None:
            return None
        self.language = language
        return FactStep.TEXT

    def choose_topic(self, topic: str) -> bool:
        """The new fact's topic, asked first; False for anything else."""
        if self.fact_id is not None or self.step is not FactStep.TOPIC or topic not in TOPICS:
            return False
        self.topic = topic
        return True

    def choose_source(self, article: str) -> bool:
        """The new fact's source article (its number), asked after the topic."""
        if self.fact_id is not None or self.step is not FactStep.SOURCE or not article.isdigit():
            return False
        self.article_id = int(article)
        return True

    def skip_language(self) -> bool:
        """Skip: the new fact has no text in the asked language (a fact's new text has Cancel
        only)."""
        return self.fact_id is None and self.step is FactStep.TEXT and self.skip()


SLOT = flow.Slot("admin.fact", FactDraft)
current = SLOT.current
keep = SLOT.keep
drop = SLOT.drop


class Next(NamedTuple):
    """What the admin sees next, and the step the draft waits at (None: it is done, saved
    or gone, and can be dropped)."""

    screen: Screen | None
    step: FactStep | None


def take_text(texts: Texts, draft: FactDraft, typed: str) -> Html | None:
    """The text in the asked language; what is wrong with it, if it does not do."""
    if draft.step is not FactStep.TEXT:
        return texts("admin.problem.buttons")
    text = wording.clean_text(typed)
    if text is None:
        return texts("admin.facts.too_long", limit=wording.TEXT_LIMIT)
    draft.texts[draft.language] = text
    return None


async def advance(store: Store, texts: Texts, draft: FactDraft, admin_id: int) -> Next:
    """The next question; once the new fact is complete it is saved (audited), and once a
    fact's new text is typed it is changed: then the fact's card."""
    if draft.fact_id is not None:
        fact = await store.facts.record(draft.fact_id)
        if fact is None:
            return Next(None, None)
        await facts.set_text(store, fact, draft.language, draft.texts[draft.language], admin_id)
        return Next(await facts.card(store, texts, fact.id), None)
    step = draft.next_step()
    if step is None:
        fact_id = await _add(store, draft, admin_id)
        return Next(await facts.card(store, texts, fact_id), None)
    draft.step = step
    if step is FactStep.TOPIC:
        return Next(facts.topics(texts, "ntopic", draft.id), step)
    if step is FactStep.SOURCE:
        return Next(await facts.sources(store, texts, "nsource", draft.id), step)
    return Next(ask_text(texts, draft), step)


def ask_text(texts: Texts, draft: FactDraft) -> Screen:
    """The text in the asked language; a new fact's languages may be skipped (not all)."""
    cancel = button(texts.plain("admin.button.cancel"), FACTS.data("ncancel", draft.id))
    skip = None
    if draft.fact_id is None:
        skip = button(texts.plain("admin.button.skip"), FACTS.data("nskip", draft.id))
    return wording.ask_text(texts, draft, "admin.facts.ask_text", cancel, skip)


async def _add(store: Store, draft: FactDraft, admin_id: int) -> int:
    assert draft.topic is not None and draft.article_id is not None
    key = f"admin-{secrets.token_hex(4)}"
    fact_id = await store.facts.add(
        key=key, topic=draft.topic, article_id=draft.article_id, texts=draft.written(), by=admin_id
    )
    languages = ",".join(draft.written())
    await store.audit.record(
        admin_id, "fact.added", key, f"topic={draft.topic} languages={languages}"
    )
    return fact_id
