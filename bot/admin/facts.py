"""/facts_admin: admins keep /facts current as the talks move on.

A fact has a topic, a source article and a short text per language; it can be added, its
texts, topic and source changed, and it can be retired (off /facts, kept in the store) or
restored. Every change is audited. Seeds never overwrite a fact an admin changed
(storage.facts). Fact texts are plain: /facts escapes and lays them out itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, keyboards
from bot.admin import flow
from bot.admin.flow import FactStep
from bot.admin.formatting import to_plain
from bot.admin.screens import Screen, button
from bot.content import TOPICS
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, escape
from bot.sourcing import source_line
from storage import Store
from storage.models import FactRecord

FACTS_PER_PAGE = 8
SOURCES_OFFERED = 6
TEXT_LIMIT = 700
SNIPPET = 60
FACTS = callbacks.Buttons(
    flow.PREFIX,
    ("page", "open", "new", "text", "topic", "source", "retire", "restore", "settopic",
     "setsource", "ntopic", "nsource", "nskip", "ncancel"),
    area="f",
    command="/facts_admin",
)  # fmt: skip


@dataclass
class FactDraft:
    """A new fact being written, or (with `fact_id`) one language of an existing fact."""

    id: str = field(default_factory=lambda: secrets.token_hex(2))
    fact_id: int | None = None
    topic: str | None = None
    article_id: int | None = None
    texts: dict[str, str] = field(default_factory=dict)
    language: str = LANGUAGES[0]
    step: FactStep = FactStep.TOPIC

    def next_step(self) -> FactStep | None:
        """The next question; None when the new fact is complete."""
        if self.topic is None:
            return FactStep.TOPIC
        if self.article_id is None:
            return FactStep.SOURCE
        for language in LANGUAGES[LANGUAGES.index(self.language) :]:
            if language not in self.texts and not self._skipped(language):
                self.language = language
                return FactStep.TEXT
        return None

    def _skipped(self, language: str) -> bool:
        return self.texts.get(language) == ""

    def skip(self) -> bool:
        """Skip the asked language; not the last one when nothing was written."""
        if not any(self.texts.values()) and self.language == LANGUAGES[-1]:
            return False
        self.texts[self.language] = ""
        return True

    def written(self) -> dict[str, str]:
        return {lang: text for lang, text in self.texts.items() if text}


_SLOT = flow.Slot("admin.fact", FactDraft)
current = _SLOT.current
keep = _SLOT.keep
drop = _SLOT.drop


def clean_text(text: str) -> str | None:
    """A fact's text as typed, if it is one: one paragraph, at most TEXT_LIMIT characters."""
    cleaned = " ".join(text.split())
    return cleaned if 0 < len(cleaned) <= TEXT_LIMIT else None


def topic_label(texts: Texts, topic: str) -> str:
    return to_plain(texts(f"topic.{topic}.html")) if topic in TOPICS else topic


def _snippet(texts: Texts, fact: FactRecord) -> str:
    language = next((lang for lang in (texts.language, *LANGUAGES) if fact.texts.get(lang)), "")
    text = fact.texts.get(language, "")
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1].rstrip() + "…"


# ---------------------------------------------------------------------- screens


async def listing(store: Store, texts: Texts, page: int = 1) -> Screen:
    """Every fact, a page at a time, retired ones marked; a number opens one."""
    facts = await store.facts.records()
    pages = max(1, -(-len(facts) // FACTS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = facts[(page - 1) * FACTS_PER_PAGE : page * FACTS_PER_PAGE]
    retired = sum(f.retired for f in facts)
    lines = [
        texts(
            "admin.facts.title.html",
            active=len(facts) - retired,
            retired=retired,
            page=page,
            pages=pages,
        )
    ]
    start = (page - 1) * FACTS_PER_PAGE
    for number, fact in enumerate(shown, start=start + 1):
        lines.append(
            texts(
                "admin.facts.item.html",
                number=number,
                mark="🗄 " if fact.retired else "",
                topic=topic_label(texts, fact.topic),
                text=_snippet(texts, fact),
                languages=" ".join(lang for lang in LANGUAGES if fact.texts.get(lang)),
            )
        )
    opens = [
        button(str(number), FACTS.data("open", fact.id))
        for number, fact in enumerate(shown, start=start + 1)
    ]
    rows = [opens[i : i + 4] for i in range(0, len(opens), 4)]
    pager = keyboards.pager(texts, flow.PREFIX, page, pages, lambda n: FACTS.data("page", n))
    if pager is not None:
        rows += [list(row) for row in pager.inline_keyboard]
    rows.append([button(texts.plain("admin.button.new_fact"), FACTS.data("new"))])
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


def card_for(texts: Texts, fact: FactRecord) -> Screen:
    """One fact in every language, its topic, source and state; buttons to change each."""
    status = texts("admin.facts.retired" if fact.retired else "admin.facts.active")
    lines = [
        texts(
            "admin.facts.card.html",
            name=fact.key,
            topic=topic_label(texts, fact.topic),
            status=status,
        ),
        texts("admin.facts.source.html", source=source_line(texts, fact.source)),
        "",
    ]
    for language in LANGUAGES:
        text = fact.texts.get(language)
        lines.append(f"<b>{LANGUAGE_NAMES[language]}</b>: {escape(text) if text else '—'}")
    fid = fact.id
    rows = [
        [button(f"✏️ {LANGUAGE_NAMES[lang]}", FACTS.data("text", fid, lang)) for lang in LANGUAGES],
        [
            button(texts.plain("admin.button.topic"), FACTS.data("topic", fid)),
            button(texts.plain("admin.button.source"), FACTS.data("source", fid)),
        ],
        [
            button(texts.plain("admin.button.restore"), FACTS.data("restore", fid))
            if fact.retired
            else button(texts.plain("admin.button.retire"), FACTS.data("retire", fid))
        ],
        [button(texts.plain("admin.button.facts"), FACTS.data("page", 1))],
    ]
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


async def card(store: Store, texts: Texts, fact_id: int) -> Screen | None:
    fact = await store.facts.record(fact_id)
    return None if fact is None else card_for(texts, fact)


def topics(texts: Texts, verb: str, target: object, current: str | None = None) -> Screen:
    """Topic buttons; each sends `f.<verb>.<target>.<topic>`."""
    buttons = [
        button(
            ("✓ " if topic == current else "") + topic_label(texts, topic),
            FACTS.data(verb, target, topic),
        )
        for topic in TOPICS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return texts("admin.facts.ask_topic"), InlineKeyboardMarkup(rows)


async def sources(
    store: Store, texts: Texts, verb: str, target: object, current: int | None = None
) -> Screen:
    """The latest articles as buttons; each sends `f.<verb>.<target>.<article id>`."""
    articles = await store.articles.latest(SOURCES_OFFERED, prefer=texts.language)
    rows: list[list[InlineKeyboardButton]] = []
    for article in articles:
        title = article.title if len(article.title) <= 40 else article.title[:39] + "…"
        mark = "✓ " if article.id == current else ""
        label = f"{mark}{title} · {texts.date(article.published_date)}"
        rows.append([button(label, FACTS.data(verb, target, article.id))])
    return texts("admin.facts.ask_source"), InlineKeyboardMarkup(rows)


def ask_text(texts: Texts, draft: FactDraft) -> Screen:
    text = texts(f"admin.facts.ask_text.{draft.language}", limit=TEXT_LIMIT)
    row = []
    if draft.fact_id is None and (any(draft.texts.values()) or draft.language != LANGUAGES[-1]):
        row.append(button(texts.plain("admin.button.skip"), FACTS.data("nskip", draft.id)))
    row.append(button(texts.plain("admin.button.cancel"), FACTS.data("ncancel", draft.id)))
    return text, InlineKeyboardMarkup([row])


# ---------------------------------------------------------------------- changes (audited)


async def add(store: Store, draft: FactDraft, admin_id: int) -> int:
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


async def set_text(store: Store, fact: FactRecord, language: str, text: str, admin_id: int) -> None:
    await store.facts.set_text(fact.id, language, text, admin_id)
    await store.audit.record(admin_id, "fact.edited", fact.key, f"text={language}")


async def set_topic(store: Store, fact: FactRecord, topic: str, admin_id: int) -> None:
    await store.facts.set_topic(fact.id, topic, admin_id)
    await store.audit.record(admin_id, "fact.edited", fact.key, f"topic={fact.topic}->{topic}")


async def set_source(store: Store, fact: FactRecord, article_id: int, admin_id: int) -> None:
    await store.facts.set_source(fact.id, article_id, admin_id)
    detail = f"source={fact.article_id}->{article_id}"
    await store.audit.record(admin_id, "fact.edited", fact.key, detail)


async def retire(store: Store, fact: FactRecord, admin_id: int, retired: bool) -> None:
    await store.facts.retire(fact.id, admin_id, retired)
    await store.audit.record(admin_id, "fact.retired" if retired else "fact.restored", fact.key)
