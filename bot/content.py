"""What /status, /timeline, /facts and /news show: stored rows rendered as localised HTML.

Every fact and milestone is shown with its source and date. Pages are computed from the data
each time, so a page button keeps working after a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from bot.i18n import Html, Texts, escape, link
from bot.textsplit import TELEGRAM_LIMIT
from storage import Store
from storage.models import Article, Fact, Milestone, Source

STAGES = 7
# Topic order on /facts: what travellers ask first.
TOPICS = (
    "talks", "travel", "people", "council", "partnership", "economy", "transport",
    "programmes", "region",
)  # fmt: skip
PAGE_BUDGET = 3000  # characters per /facts page, well under Telegram's 4096
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


def source_line(texts: Texts, source: Source) -> Html:
    """`Kazinform, 2 декабря 2025 г.`, linked when the URL is known."""
    name = link(source.url, source.name) if source.url else source.name
    return texts("source.line.html", source=name, date=texts.date(source.published))


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
    """Page 1: the lead fact of every topic, a summary; then all facts cut into pages."""
    order = {topic: i for i, topic in enumerate(TOPICS)}
    ordered = sorted(facts, key=lambda f: order.get(f.topic, len(TOPICS)))
    leads = [fact for i, fact in enumerate(ordered) if i == 0 or ordered[i - 1].topic != fact.topic]
    pages: list[list[Fact]] = [leads, []]
    size = 0
    for fact in ordered:
        cost = len(fact.text) + 60
        if pages[-1] and size + cost > PAGE_BUDGET:
            pages.append([])
            size = 0
        pages[-1].append(fact)
        size += cost
    return pages if len(facts) > len(leads) else pages[:1]


def _render_facts(texts: Texts, facts: Sequence[Fact]) -> list[str]:
    """Facts under topic headings, each with a numbered note pointing at its source and date."""
    notes: dict[Source, int] = {}
    lines: list[str] = []
    topic = None
    for fact in facts:
        if fact.topic != topic:
            topic = fact.topic
            lines.append(("\n" if lines else "") + texts(f"topic.{topic}.html"))
        number = notes.setdefault(fact.source, len(notes) + 1)
        note = texts("facts.language_note", language=fact.language.upper())
        other_language = f" {note}" if fact.language != texts.language else ""
        lines.append(f"• {escape(fact.text)}{other_language} [{number}]")
    lines.append("")
    for source, number in notes.items():
        lines.append(f"[{number}] " + source_line(texts, source))
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
    if number == 1 and len(pages) > 1:
        header = Html(header + "\n" + texts("facts.summary"))
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
        source=article.source,
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
    feed item); the store's content_version tells when the cached pages went stale.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version = -1
        self._cache: dict[tuple[str, str, int], object] = {}

    async def _get(self, key: tuple[str, str, int], render: Callable[[], Awaitable[T]]) -> T:
        if self.store.db.content_version != self._version:
            self._cache.clear()
            self._version = self.store.db.content_version
        if key not in self._cache:
            self._cache[key] = await render()
        return cast(T, self._cache[key])

    async def status(self, texts: Texts) -> Html:
        return await self._get(("status", texts.language, 0), lambda: status(self.store, texts))

    async def reached(self, texts: Texts, stage: int) -> Html:
        return await self._get(
            ("reached", texts.language, stage), lambda: reached(self.store, texts, stage)
        )

    async def timeline(self, texts: Texts) -> Html:
        return await self._get(("timeline", texts.language, 0), lambda: timeline(self.store, texts))

    async def facts(self, texts: Texts, number: int = 1) -> Page:
        return await self._get(
            ("facts", texts.language, number), lambda: facts_page(self.store, texts, number)
        )

    async def news(self, texts: Texts, number: int = 1) -> Page:
        return await self._get(
            ("news", texts.language, number), lambda: news_page(self.store, texts, number)
        )
