"""The /questions screens: the groups with Answer / Link / Dismiss, and the facts to link a
group to. Each is read in one query, then drawn by a pure function of what was read."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.admin import flow
from bot.admin.questions.grouping import Group, groups
from bot.admin.screens import Screen, button
from bot.admin.wording import short, snippet, topic_label
from bot.i18n import Html, Texts
from storage import Store
from storage.models import FactsPage

GROUPS_SHOWN = 8
PHRASINGS_SHOWN = 3
FACTS_PER_PAGE = 8
SNIPPET = 50
QUESTIONS = callbacks.Buttons(
    flow.PREFIX,
    ("list", "link", "linkto", "dismiss", "answer", "atopic", "askip", "aeditors", "asave",
     "acancel"),
    area="q",
    command="/questions",
)  # fmt: skip


async def listing(store: Store, texts: Texts) -> Screen:
    """The groups with their count, languages and phrasings; Answer / Link / Dismiss each."""
    return render_listing(texts, await groups(store))


def render_listing(texts: Texts, found: list[Group]) -> Screen:
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
            lines.append(texts("questions.phrasing.html", text=short(question.text, 120)))
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
    """The facts on /facts, a page at a time, each a button that links the group to it."""
    found = await store.facts.page(page, FACTS_PER_PAGE, retired=False)
    return render_link_choices(texts, key, found)


def render_link_choices(texts: Texts, key: int, found: FactsPage) -> Screen:
    rows = [
        [button(f"{topic_label(texts, f.topic)[:2]} {snippet(texts, f, SNIPPET)}",
                QUESTIONS.data("linkto", key, f.id))]
        for f in found.facts
    ]  # fmt: skip
    pager = []
    if found.page > 1:
        pager.append(button("◀", QUESTIONS.data("link", key, found.page - 1)))
    if found.page < found.pages:
        pager.append(button("▶", QUESTIONS.data("link", key, found.page + 1)))
    if pager:
        rows.append(pager)
    rows.append([button(texts.plain("questions.button.back"), QUESTIONS.data("list"))])
    text = texts("questions.ask_link", page=found.page, pages=found.pages)
    return text, InlineKeyboardMarkup(rows)
