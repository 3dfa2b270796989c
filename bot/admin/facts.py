"""/facts_admin: admins keep /facts current as the talks move on.

A fact has a topic, a source article and a short text per language; it can be added
(bot.admin.fact_draft), its texts, topic and source changed, and it can be retired (off
/facts, kept in the store) or restored. Every change is audited. Seeds never overwrite a
fact an admin changed (storage.facts). Fact texts are plain: /facts escapes and lays them
out itself. Each screen is read in one query, then drawn by a pure function of that data.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, keyboards
from bot.admin import flow
from bot.admin.screens import Screen, button
from bot.admin.wording import snippet, topic_label
from bot.content import TOPICS
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, escape
from bot.sourcing import source_line
from storage import Store
from storage.models import Article, FactRecord, FactsPage

FACTS_PER_PAGE = 8
SOURCES_OFFERED = 6
SNIPPET = 60
FACTS = callbacks.Buttons(
    flow.PREFIX,
    ("page", "open", "new", "text", "topic", "source", "retire", "restore", "settopic",
     "setsource", "ntopic", "nsource", "nskip", "ncancel"),
    area="f",
    command="/facts_admin",
)  # fmt: skip


# ---------------------------------------------------------------------- screens


async def listing(store: Store, texts: Texts, page: int = 1) -> Screen:
    """Every fact, a page at a time, retired ones marked; a number opens one."""
    return render_listing(texts, await store.facts.page(page, FACTS_PER_PAGE))


def render_listing(texts: Texts, found: FactsPage) -> Screen:
    lines = [
        texts(
            "admin.facts.title.html",
            active=found.active,
            retired=found.retired,
            page=found.page,
            pages=found.pages,
        )
    ]
    start = (found.page - 1) * FACTS_PER_PAGE
    for number, fact in enumerate(found.facts, start=start + 1):
        lines.append(
            texts(
                "admin.facts.item.html",
                number=number,
                mark="🗄 " if fact.retired else "",
                topic=topic_label(texts, fact.topic),
                text=snippet(texts, fact, SNIPPET),
                languages=" ".join(lang for lang in LANGUAGES if fact.texts.get(lang)),
            )
        )
    opens = [
        button(str(number), FACTS.data("open", fact.id))
        for number, fact in enumerate(found.facts, start=start + 1)
    ]
    rows = [opens[i : i + 4] for i in range(0, len(opens), 4)]
    pager = keyboards.pager(
        texts, flow.PREFIX, found.page, found.pages, lambda n: FACTS.data("page", n)
    )
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
    return render_sources(texts, articles, verb, target, current)


def render_sources(
    texts: Texts, articles: list[Article], verb: str, target: object, current: int | None
) -> Screen:
    rows: list[list[InlineKeyboardButton]] = []
    for article in articles:
        title = article.title if len(article.title) <= 40 else article.title[:39] + "…"
        mark = "✓ " if article.id == current else ""
        label = f"{mark}{title} · {texts.date(article.published_date)}"
        rows.append([button(label, FACTS.data(verb, target, article.id))])
    return texts("admin.facts.ask_source"), InlineKeyboardMarkup(rows)


# ---------------------------------------------------------------------- changes (audited)


async def set_text(store: Store, fact: FactRecord, language: str, text: str, admin_id: int) -> None:
    await store.facts.set_text(fact.id, language, text, admin_id)
    await store.audit.record(admin_id, "fact.edited", fact.key, f"text={language}")


async def set_topic(store: Store, fact: FactRecord, topic: str, admin_id: int) -> None:
    """A topic of /facts becomes the fact's; any other word is ignored."""
    if topic not in TOPICS:
        return
    await store.facts.set_topic(fact.id, topic, admin_id)
    await store.audit.record(admin_id, "fact.edited", fact.key, f"topic={fact.topic}->{topic}")


async def set_source(store: Store, fact: FactRecord, article_id: int, admin_id: int) -> bool:
    """The article becomes the fact's source; False if there is no such article."""
    if await store.articles.get(article_id) is None:
        return False
    await store.facts.set_source(fact.id, article_id, admin_id)
    detail = f"source={fact.article_id}->{article_id}"
    await store.audit.record(admin_id, "fact.edited", fact.key, detail)
    return True


async def retire(store: Store, fact: FactRecord, admin_id: int, retired: bool) -> None:
    await store.facts.retire(fact.id, admin_id, retired)
    await store.audit.record(admin_id, "fact.retired" if retired else "fact.restored", fact.key)
