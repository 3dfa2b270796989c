"""/questions: the editors' list of questions the bot could not answer well, grouped.

Open questions are grouped by bot.phrasing (other words, typos, case endings, the other
language where the synonym tables join them), most asked first, then newest. A group is
named by its newest question's id, so its buttons keep working while more people ask; each
action takes the group as it is at that moment. Per group:

- Answer: the editors write the answer (kk, ru and/or en) with a source (a link, or the
  editors themselves). It is saved as a fact with its topic and today's date, the group's
  phrasings point to it, and every chat that asked to be told gets it through the outbox.
  All of that is one transaction: a crash leaves either nothing or everything queued.
- Link: the answer was a fact already; the group's phrasings point to it (the engine then
  answers them with it), and the waiting chats get that fact.
- Dismiss: out of scope; the waiting chats' ids are forgotten.
Every action is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from enum import IntEnum
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, content, phrasing, sourcing
from bot.admin import flow
from bot.admin.facts import TEXT_LIMIT, topic_label
from bot.admin.screens import Screen, button
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, texts_for
from storage import Store
from storage.models import FactRecord, Source
from storage.questions import Question

GROUPS_SHOWN = 8
PHRASINGS_SHOWN = 3
FACTS_PER_PAGE = 8
SNIPPET = 50
UPDATE_KIND = "news"  # updates.kind has no value of its own for answers (a CHECK constraint)
QUESTIONS = callbacks.Buttons(
    flow.PREFIX,
    ("list", "link", "linkto", "dismiss", "answer", "atopic", "askip", "aeditors", "asave",
     "acancel"),
    area="q",
    command="/questions",
)  # fmt: skip


class AnswerStep(IntEnum):
    TOPIC = 31
    TEXT = 32  # the draft's `language` says which one
    SOURCE = 33
    PREVIEW = 34


@dataclass(frozen=True)
class Group:
    """Open questions that are one question."""

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
    return group(await store.questions.open())


async def find(store: Store, key: int) -> Group | None:
    """The group that holds question `key` now; None once it is closed."""
    return next((g for g in await groups(store) if key in {q.id for q in g.questions}), None)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------- screens


async def listing(store: Store, texts: Texts) -> Screen:
    """The groups with their count, languages and phrasings; Answer / Link / Dismiss each."""
    found = await groups(store)
    if not found:
        return texts("questions.empty"), None
    lines = [texts("questions.title.html", groups=len(found))]
    rows: list[list[InlineKeyboardButton]] = []
    for number, item in enumerate(found[:GROUPS_SHOWN], start=1):
        lines.append(
            texts(
                "questions.group.html",
                number=number,
                count=len(item.questions),
                languages=" ".join(item.languages),
                waiting=item.waiting,
            )
        )
        for question in item.questions[:PHRASINGS_SHOWN]:
            lines.append(texts("questions.phrasing.html", text=_short(question.text, 120)))
        rows.append(
            [
                button(texts.plain("questions.button.answer", number=number),
                       QUESTIONS.data("answer", item.key)),
                button(texts.plain("questions.button.link"), QUESTIONS.data("link", item.key)),
                button(texts.plain("questions.button.dismiss"),
                       QUESTIONS.data("dismiss", item.key)),
            ]
        )  # fmt: skip
    if len(found) > GROUPS_SHOWN:
        lines.append(texts("questions.more", count=len(found) - GROUPS_SHOWN))
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


async def link_choices(store: Store, texts: Texts, key: int, page: int = 1) -> Screen:
    """The facts, a page at a time, each a button that links the group to it."""
    facts = [f for f in await store.facts.records() if not f.retired]
    pages = max(1, -(-len(facts) // FACTS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = facts[(page - 1) * FACTS_PER_PAGE : page * FACTS_PER_PAGE]
    rows = [
        [button(f"{topic_label(texts, f.topic)[:2]} {_snippet(texts, f)}",
                QUESTIONS.data("linkto", key, f.id))]
        for f in shown
    ]  # fmt: skip
    pager = []
    if page > 1:
        pager.append(button("◀", QUESTIONS.data("link", key, page - 1)))
    if page < pages:
        pager.append(button("▶", QUESTIONS.data("link", key, page + 1)))
    if pager:
        rows.append(pager)
    rows.append([button(texts.plain("questions.button.back"), QUESTIONS.data("list"))])
    return texts("questions.ask_link", page=page, pages=pages), InlineKeyboardMarkup(rows)


def _snippet(texts: Texts, fact: FactRecord) -> str:
    language = next((lang for lang in (texts.language, *LANGUAGES) if fact.texts.get(lang)), "")
    return _short(fact.texts.get(language, ""), SNIPPET)


@dataclass
class AnswerDraft:
    """The editors' answer to one group, being written."""

    key: int  # the group's newest question
    id: str = field(default_factory=lambda: secrets.token_hex(2))
    topic: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    language: str = LANGUAGES[0]
    url: str | None = None
    step: AnswerStep = AnswerStep.TOPIC

    def next_language(self) -> str | None:
        for language in LANGUAGES[LANGUAGES.index(self.language) :]:
            if language not in self.texts:
                return language
        return None

    def written(self) -> dict[str, str]:
        return {lang: text for lang, text in self.texts.items() if text}


_SLOT = flow.Slot("admin.answer", AnswerDraft)
current = _SLOT.current
keep = _SLOT.keep
drop = _SLOT.drop


def topics(texts: Texts, draft: AnswerDraft, group_: Group) -> Screen:
    buttons = [
        button(topic_label(texts, topic), QUESTIONS.data("atopic", draft.id, topic))
        for topic in content.TOPICS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [button(texts.plain("questions.button.cancel"), QUESTIONS.data("acancel", draft.id))]
    )
    asked = "\n".join(texts("questions.phrasing.html", text=_short(q.text, 200))
                      for q in group_.questions[:PHRASINGS_SHOWN])  # fmt: skip
    return Html(f"{asked}\n\n{texts('questions.ask_topic')}"), InlineKeyboardMarkup(rows)


def ask_text(texts: Texts, draft: AnswerDraft) -> Screen:
    row = []
    if draft.written() or draft.language != LANGUAGES[-1]:
        row.append(button(texts.plain("questions.button.skip"), QUESTIONS.data("askip", draft.id)))
    row.append(button(texts.plain("questions.button.cancel"), QUESTIONS.data("acancel", draft.id)))
    return texts(f"questions.ask_text.{draft.language}", limit=TEXT_LIMIT), InlineKeyboardMarkup(
        [row]
    )


def ask_source(texts: Texts, draft: AnswerDraft) -> Screen:
    rows = [
        [button(texts.plain("questions.button.editors"), QUESTIONS.data("aeditors", draft.id))],
        [button(texts.plain("questions.button.cancel"), QUESTIONS.data("acancel", draft.id))],
    ]
    return texts("questions.ask_source"), InlineKeyboardMarkup(rows)


def clean_url(text: str) -> str | None:
    """A source link as typed, if it is an http(s) link."""
    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc and " " not in url and len(url) <= 500:
        return url
    return None


def _source(draft: AnswerDraft) -> Source:
    if draft.url:
        return Source(urlsplit(draft.url).netloc, draft.url, dt.date.today())
    return Source(sourcing.EDITORS, None, dt.date.today())


def preview(texts: Texts, draft: AnswerDraft, group_: Group) -> Screen:
    """Exactly what the askers will read, per language; Save / Cancel."""
    written = draft.written()
    parts: list[str] = [
        texts("questions.preview.html", count=len(group_.questions), waiting=group_.waiting)
    ]
    for language in LANGUAGES:
        if language in written:
            parts.append(f"<b>{LANGUAGE_NAMES[language]}</b>\n{delivered(draft, language)}")
    rows = [[
        button(texts.plain("questions.button.save"), QUESTIONS.data("asave", draft.id)),
        button(texts.plain("questions.button.cancel"), QUESTIONS.data("acancel", draft.id)),
    ]]  # fmt: skip
    return Html("\n\n".join(parts)), InlineKeyboardMarkup(rows)


def delivered(draft: AnswerDraft, language: str) -> Html:
    """The message an asker reading `language` gets (written in that language)."""
    texts = texts_for(language)
    return texts(
        "questions.delivered.html",
        text=draft.texts[language],
        source=sourcing.source_line(texts, _source(draft)),
    )


def _fact_message(fact: FactRecord, language: str) -> Html:
    texts = texts_for(language)
    return texts(
        "questions.delivered.html",
        text=fact.texts[language],
        source=sourcing.source_line(texts, fact.source),
    )


# ---------------------------------------------------------------------- actions (audited)


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
            source=_source(draft).name,
            url=draft.url,
            language=first,
            title=_short(written[first], 80),
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


# ---------------------------------------------------------------------- /stats


async def stats(store: Store, texts: Texts, now: dt.datetime | None = None) -> Html:
    """The answer rate per language over 7 and 30 days, and the 👍 / 👎 counts."""
    now = now or dt.datetime.now(dt.UTC)
    lines = [texts("questions.stats.title.html")]
    for days in (7, 30):
        since = now - dt.timedelta(days=days)
        rates = {r.language: r for r in await store.questions.rates(since)}
        asked = sum(r.asked for r in rates.values())
        answered = sum(r.answered for r in rates.values())
        per_language = " · ".join(
            f"{lang} {rates[lang].answered}/{rates[lang].asked}"
            for lang in LANGUAGES
            if lang in rates
        )
        feedback = await store.questions.feedback(since)
        lines.append(
            texts(
                "questions.stats.period",
                days=days,
                answered=answered,
                asked=asked,
                percent=round(100 * answered / asked) if asked else 0,
                languages=per_language or "—",
                up=feedback.up,
                down=feedback.down,
            )
        )
    return Html("\n".join(lines))
