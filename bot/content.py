"""What /status, /timeline, /facts and /news show: stored rows rendered as localised HTML.

Every fact and milestone is shown with its source and date. Pages are computed from the data
each time, so a page button keeps working after a restart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar, cast

from bot.delivery.textsplit import TELEGRAM_LIMIT
from bot.i18n import Html, Texts, escape, link
from bot.sourcing import (
    as_of,
    fact_lines,
    knowledge_date,
    source_line,
    source_lines,
    source_name,
)
from storage import Store
from storage.models import Article, Fact, Milestone, Source

STAGES = 7
# Topic order on /facts: what travellers ask first.
TOPICS = (
    "talks", "travel", "people", "council", "partnership", "economy", "transport",
    "programmes", "region",
)  # fmt: skip
PAGE_BUDGET = 1200  # characters of facts per /facts page: about one phone screen
NEWS_PER_PAGE = 5
T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """One screen of a paged list: its HTML, and its number and count for the buttons."""

    text: Html
    number: int
    count: int
    items: Sequence[object] = field(default=())


def progress_bar(stage: int) -> str:
    """`▰▰▱▱▱▱▱ 2/7`."""
    return "▰" * stage + "▱" * (STAGES - stage) + f" {stage}/{STAGES}"


async def status(store: Store, texts: Texts) -> Html:
    milestone = await store.milestones.current(texts.language)
    if milestone is None:
        return texts("status.none")
    parts = [
        texts("status.title.html"),
        texts(
            "status.stage.html",
            bar=progress_bar(milestone.stage),
            stage=texts(f"stage.{milestone.stage}"),
        ),
        texts("status.when", date=texts.date(milestone.happened_on), place=milestone.place),
        escape(milestone.text),
        texts("status.source.html", source=source_line(texts, milestone.source)),
    ]
    if milestone.stage < STAGES:
        following = milestone.stage + 1
        parts.append(
            texts(
                "status.next.html",
                stage=texts(f"stage.{following}"),
                number=following,
                about=texts(f"stage.{following}.about"),
            )
        )
    else:
        parts.append(texts("status.final"))
    return Html("\n\n".join(parts))


async def reached(store: Store, texts: Texts, stage: int) -> Html:
    """Yes or not yet to "is it signed yet": the asked stage against the current one (empty
    while no milestone is known; the status says so)."""
    milestone = await store.milestones.current(texts.language)
    if milestone is None:
        return Html("")
    key = "qa.reached.yes.html" if milestone.stage >= stage else "qa.reached.not_yet.html"
    return texts(
        key,
        asked=texts(f"stage.{stage}"),
        asked_number=stage,
        current=texts(f"stage.{milestone.stage}"),
        current_number=milestone.stage,
    )


def _milestone_line(texts: Texts, milestone: Milestone) -> Html:
    return texts(
        "timeline.item.html",
        date=texts.date(milestone.happened_on),
        place=milestone.place,
        stage=texts(f"stage.{milestone.stage}"),
        number=milestone.stage,
        text=milestone.text,
        source=source_line(texts, milestone.source),
    )


async def timeline(store: Store, texts: Texts) -> Html:
    milestones = await store.milestones.timeline(texts.language)
    if not milestones:
        return texts("status.none")
    lines = [texts("timeline.title.html")]
    lines += [_milestone_line(texts, m) for m in milestones]
    return Html("\n\n".join(lines))


def _fact_pages(facts: Sequence[Fact]) -> list[list[Fact]]:
    """The facts in topic order, cut into pages of about one phone screen; each fact once."""
    order = {topic: i for i, topic in enumerate(TOPICS)}
    ordered = sorted(facts, key=lambda f: order.get(f.topic, len(TOPICS)))
    pages: list[list[Fact]] = [[]]
    size = 0
    for fact in ordered:
        cost = len(fact.text) + 10
        if pages[-1] and size + cost > PAGE_BUDGET:
            pages.append([])
            size = 0
        pages[-1].append(fact)
        size += cost
    return pages


def _render_facts(texts: Texts, facts: Sequence[Fact]) -> list[str]:
    """Facts under topic headings, each pointing at its source, then the sources."""
    notes: dict[Source, int] = {}
    for fact in facts:
        notes.setdefault(fact.source, len(notes) + 1)
    lines: list[str] = []
    start = 0
    for i in range(1, len(facts) + 1):
        if i == len(facts) or facts[i].topic != facts[start].topic:
            heading = texts(f"topic.{facts[start].topic}.html")
            lines.append(("\n" if lines else "") + heading)
            lines += fact_lines(texts, facts[start:i], notes)
            start = i
    lines.append("")
    lines += source_lines(texts, notes)
    return lines


async def facts_page(store: Store, texts: Texts, number: int = 1) -> Page:
    facts = await store.facts.active(texts.language)
    if not facts:
        return Page(texts("facts.none"), 1, 1)
    pages = _fact_pages(facts)
    number = min(max(number, 1), len(pages))
    header = texts.plural("facts.title.html", len(facts))
    if len(pages) > 1:
        header = Html(header + "  " + texts("page.of", page=number, pages=len(pages)))
    body = "\n".join([header, "", *_render_facts(texts, pages[number - 1])])
    assert len(body) < TELEGRAM_LIMIT
    return Page(Html(body), number, len(pages), pages[number - 1])


def article_line(texts: Texts, article: Article) -> Html:
    """An article as /news lists it: linked title, source, date and language."""
    title = link(article.url, article.title) if article.url else article.title
    return texts(
        "news.item.html",
        title=title,
        date=texts.date(article.published_date),
        source=source_name(texts, article.source),
        language=article.language.upper(),
    )


async def news_page(store: Store, texts: Texts, number: int = 1) -> Page:
    total = await store.articles.count()
    if total == 0:
        return Page(texts("news.none"), 1, 1)
    count = -(-total // NEWS_PER_PAGE)
    number = min(max(number, 1), count)
    articles = await store.articles.latest(
        NEWS_PER_PAGE, (number - 1) * NEWS_PER_PAGE, prefer=texts.language
    )
    header = texts("news.title.html")
    if count > 1:
        header = Html(header + "  " + texts("page.of", page=number, pages=count))
    lines = [header, *(article_line(texts, a) for a in articles)]
    return Page(Html("\n\n".join(lines)), number, count, articles)


class Pages:
    """/status, /timeline, /facts and /news as rendered, cached until the content changes.

    Rendering is most of a command's work and the content changes rarely (an admin post, a
    feed item); the store's content_version tells when the cached pages went stale. Each page
    ends with as of when the bot knows it, whose "1 year ago" changes with the day.
    """

    def __init__(self, store: Store, today: Callable[[], dt.date] | None = None) -> None:
        self.store = store
        self.today = today or (lambda: dt.datetime.now(dt.UTC).date())
        self._version: tuple[int, dt.date] | None = None
        self._cache: dict[tuple[str, str, int], object] = {}

    async def _get(self, key: tuple[str, str, int], render: Callable[[], Awaitable[T]]) -> T:
        version = (self.store.db.content_version, self.today())
        if version != self._version:
            self._cache.clear()
            self._version = version
        if key not in self._cache:
            self._cache[key] = await render()
        return cast(T, self._cache[key])

    async def current(self, language: str) -> Milestone | None:
        """The current stage's milestone (what answers about the stage speak of)."""
        return await self._get(
            ("current", language, 0), lambda: self.store.milestones.current(language)
        )

    async def as_of(self, texts: Texts) -> Html:
        """`As of 2 December 2025 (1 year ago).`"""

        async def render() -> Html:
            return as_of(texts, await knowledge_date(self.store), self.today())

        return await self._get(("as_of", texts.language, 0), render)

    async def _dated(self, text: Html, texts: Texts) -> Html:
        dated = await self.as_of(texts)
        return Html(f"{text}\n\n{dated}") if dated else text

    async def status(self, texts: Texts) -> Html:
        async def render() -> Html:
            return await self._dated(await status(self.store, texts), texts)

        return await self._get(("status", texts.language, 0), render)

    async def reached(self, texts: Texts, stage: int) -> Html:
        return await self._get(
            ("reached", texts.language, stage), lambda: reached(self.store, texts, stage)
        )

    async def timeline(self, texts: Texts) -> Html:
        async def render() -> Html:
            return await self._dated(await timeline(self.store, texts), texts)

        return await self._get(("timeline", texts.language, 0), render)

    async def facts(self, texts: Texts, number: int = 1) -> Page:
        async def render() -> Page:
            page = await facts_page(self.store, texts, number)
            return replace(page, text=await self._dated(page.text, texts))

        return await self._get(("facts", texts.language, number), render)

    async def news(self, texts: Texts, number: int = 1) -> Page:
        async def render() -> Page:
            page = await news_page(self.store, texts, number)
            return replace(page, text=await self._dated(page.text, texts))

        return await self._get(("news", texts.language, number), render)
