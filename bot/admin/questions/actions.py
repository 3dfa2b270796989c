"""What the editors do with a group of questions; each is one transaction, and audited.

- Answer: the editors' answer is saved as a fact with its topic and today's date, the
  group's phrasings point to it, and every chat that asked to be told gets it through the
  outbox. A crash leaves either nothing or everything queued.
- Link: the answer was a fact already; the group's phrasings point to it (the engine then
  answers them with it), and the waiting chats get that fact.
- Dismiss: out of scope; the waiting chats' ids are forgotten.
Each takes the group as it is at that moment.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from bot import sourcing
from bot.admin.questions.answering import AnswerDraft, delivered, source_of
from bot.admin.questions.grouping import Group, find
from bot.admin.wording import short
from bot.i18n import LANGUAGES, Html, texts_for
from storage import Store
from storage.models import FactRecord

UPDATE_KIND = "news"  # updates.kind has no value of its own for answers (a CHECK constraint)


@dataclass(frozen=True)
class Outcome:
    questions: int
    told: int  # chats the answer was queued for
    fact_id: int | None = None


async def save_answer(store: Store, draft: AnswerDraft, admin_id: int) -> Outcome | None:
    """The answer as a fact, the phrasings, the askers' deliveries: one transaction. None if
    the group was closed meanwhile (or another article has the very same text)."""
    assert draft.topic is not None
    written = draft.written()
    first = next(lang for lang in LANGUAGES if lang in written)
    token = secrets.token_hex(4)
    async with store.db.transaction():
        found = await find(store, draft.key)
        if found is None:
            return None
        article_id = await store.articles.save_admin(
            key=f"editors-{token}",
            source=source_of(draft).name,
            url=draft.url,
            language=first,
            title=short(written[first], 80),
            body="\n\n".join(written[lang] for lang in LANGUAGES if lang in written),
            published_at=dt.date.today().isoformat(),
        )
        if article_id is None:
            return None
        fact_id = await store.facts.add(
            key=f"editors-{token}", topic=draft.topic, article_id=article_id, texts=written,
            by=admin_id,
        )  # fmt: skip
        ids = [q.id for q in found.questions]
        bodies = {lang: delivered(draft, lang) for lang in written}
        told = await _settle(store, found, "answered", fact_id, article_id, bodies, admin_id)
        await store.audit.record(
            admin_id, "question.answered", f"#{draft.key}",
            f"questions={len(ids)} fact=editors-{token} languages={','.join(written)} told={told}",
        )  # fmt: skip
    return Outcome(len(ids), told, fact_id)


async def _settle(
    store: Store,
    found: Group,
    state: str,
    fact_id: int,
    article_id: int | None,
    bodies: dict[str, Html],
    admin_id: int,
) -> int:
    """The group's phrasings now find the fact, its questions are closed, and the chats that
    asked to be told get `bodies` through the outbox; how many were queued. Runs inside the
    caller's transaction."""
    await store.questions.add_phrasings([q.signature for q in found.questions], fact_id, admin_id)
    chats = await store.questions.close([q.id for q in found.questions], state, fact_id)
    if not chats:
        return 0
    _, told = await store.outbox.publish_to(
        kind=UPDATE_KIND, texts=bodies, chat_ids=chats, article_id=article_id, created_by=admin_id
    )
    return told


def _fact_message(fact: FactRecord, language: str) -> Html:
    texts = texts_for(language)
    return texts(
        "questions.delivered.html",
        text=fact.texts[language],
        source=sourcing.source_line(texts, fact.source),
    )


async def link(store: Store, key: int, fact_id: int, admin_id: int) -> Outcome | None:
    """The group's phrasings now find this fact; the waiting chats get it."""
    async with store.db.transaction():
        found = await find(store, key)
        fact = await store.facts.record(fact_id)
        if found is None or fact is None or fact.retired:
            return None
        ids = [q.id for q in found.questions]
        bodies = {lang: _fact_message(fact, lang) for lang in LANGUAGES if fact.texts.get(lang)}
        told = await _settle(store, found, "linked", fact_id, fact.article_id, bodies, admin_id)
        await store.audit.record(
            admin_id, "question.linked", f"#{key}",
            f"questions={len(ids)} fact={fact.key} told={told}",
        )  # fmt: skip
    return Outcome(len(ids), told, fact_id)


async def dismiss(store: Store, key: int, admin_id: int) -> Outcome | None:
    async with store.db.transaction():
        found = await find(store, key)
        if found is None:
            return None
        ids = [q.id for q in found.questions]
        await store.questions.close(ids, "dismissed")
        await store.audit.record(admin_id, "question.dismissed", f"#{key}", f"questions={len(ids)}")
    return Outcome(len(ids), 0)
