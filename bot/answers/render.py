"""An Answer as Telegram shows it: a reply in HTML, or inline-mode results.

Every fact carries its source and date (bot.sourcing.source_line); the status is the very
text of /status (bot.content.Pages). A reply is kept under Telegram's 4096 characters by
leaving out the last items rather than cutting one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from bot import content, sourcing
from bot.answers.engine import Answer, AnswerKind
from bot.delivery.textsplit import TELEGRAM_LIMIT, split_html
from bot.i18n import Html, Texts, texts_for
from bot.replies import NO_PREVIEW
from storage import Store
from storage.models import Fact, Milestone, Source

TITLE_LENGTH = 80  # inline result titles: one line in the Telegram client
DESCRIPTION_LENGTH = 160
_TAG_RE = re.compile(r"<[^>]+>")


def fact_item(texts: Texts, fact: Fact) -> Html:
    """`• fact` then `Source: Kazinform, 2 December 2025`; a fallback language is marked."""
    note = ""
    if fact.language != texts.language:
        note = " " + texts("facts.language_note", language=fact.language.upper())
    return texts(
        "qa.fact.html",
        text=fact.text,
        note=Html(note),
        source=sourcing.source_line(texts, fact.source),
    )


SCREEN = 1000  # characters of a reply to a question: one phone screen


@dataclass(frozen=True)
class Reply:
    """A reply to a question, and the facts left out to keep it to one screen (the "more"
    button shows them)."""

    text: Html
    more: tuple[int, ...] = ()


def facts_block(texts: Texts, facts: Sequence[Fact]) -> Html:
    """The facts as bullets, then their sources, one line per source."""
    notes: dict[Source, int] = {}
    bullets = sourcing.fact_lines(texts, facts, notes)
    return Html("\n".join([*bullets, *sourcing.source_lines(texts, notes)]))


def _fitted(texts: Texts, head: list[Html], facts: Sequence[Fact], tail: list[Html]) -> Reply:
    """Head, the facts that fit on one screen (at least one), tail; the rest left for "more"."""
    shown = list(facts)
    while True:
        block = [facts_block(texts, shown)] if shown else []
        text = Html("\n\n".join(part for part in [*head, *block, *tail] if part))
        if len(shown) <= 1 or len(text) <= SCREEN:
            break
        shown.pop()
    if len(text) > TELEGRAM_LIMIT:
        text = Html(split_html(text)[0])
    return Reply(text, tuple(f.id for f in facts[len(shown) :]))


GENERAL = "qa.general.html"  # where the talks stand, what has not changed, what comes next
NEWS_STAND = "qa.news.stand.html"  # the same in one line, above the headlines


def _stage_note(texts: Texts, note: str, milestone: Milestone | None) -> Html:
    """The answer's direct words, naming the current and the next stage (and where and when
    the current one was reached, with its source)."""
    if milestone is None:
        return texts(note, stage="", number="", date="", next="", bar="", place="", source="")
    return texts(
        note,
        stage=texts(f"stage.{milestone.stage}"),
        number=milestone.stage,
        date=texts.date(milestone.happened_on),
        next=texts(f"stage.{min(milestone.stage + 1, content.STAGES)}"),
        bar=content.progress_bar(milestone.stage),
        place=milestone.place,
        source=sourcing.source_line(texts, milestone.source),
    )


async def _standing(texts: Texts, pages: content.Pages, note: str) -> list[Html]:
    """Where the talks stand, in `note`'s words, while that is still on the way (the notes
    speak of what is to come); nothing once they are in force or before any milestone."""
    milestone = await pages.current(texts.language)
    if milestone is None or milestone.stage >= content.STAGES:
        return []
    return [_stage_note(texts, note, milestone)]


async def reply_to(answer: Answer, pages: content.Pages) -> Reply:
    """The reply to a question, in the answer's language: the direct answer first, then a few
    supporting facts with one line per source, then as of when the bot knows it."""
    texts = texts_for(answer.language)
    kind = answer.kind
    if kind is AnswerKind.REPLY and answer.note:
        return Reply(texts(answer.note))
    if kind is AnswerKind.OUTSIDE:
        return Reply(texts("qa.outside"))
    if kind is AnswerKind.COMMAND:
        return Reply(texts("qa.command.html", command=f"/{answer.command}"))
    dated = await pages.as_of(texts)
    if kind in (AnswerKind.ARTICLES, AnswerKind.NEWS):
        news = kind is AnswerKind.NEWS
        # A plain "any news?" wants to know where things stand first, then the headlines.
        listing = await _standing(texts, pages, NEWS_STAND) if news else []
        listing.append(texts("news.title.html" if news else "qa.articles.html"))
        listing += [content.article_line(texts, a) for a in answer.articles]
        return _fitted(texts, listing, (), [dated, texts("qa.more_news")] if news else [dated])
    if kind is AnswerKind.NOTHING:
        # Not known; then where things stand, which is what a question about the talks wants.
        standing = await _standing(texts, pages, GENERAL)
        return _fitted(
            texts, [texts("qa.nothing.html"), *standing], (), [dated, texts("qa.commands")]
        )
    head: list[Html] = []
    if kind is AnswerKind.STATUS:
        milestone = await pages.current(texts.language)
        stage = milestone.stage if milestone is not None else 0
        asked = answer.reached
        # The notes speak of what is still to come; once there (in force, or the asked stage
        # reached), the whole status says it, opened by "yes" when asked.
        there = stage >= content.STAGES or (asked is not None and stage >= asked)
        if not answer.note or milestone is None or there:
            opening = [await pages.reached(texts, asked)] if asked is not None else []
            return _fitted(texts, [*opening, await pages.status(texts)], (), [])
        if asked is not None:  # "Not yet: stage 2/7 now, signing is 5/7", then no date known
            head.append(await pages.reached(texts, asked))
        head.append(_stage_note(texts, answer.note, milestone))
        tail = [dated, texts("qa.more_status")]
    else:
        if answer.note:
            head.append(texts(answer.note))
        tail = [dated, texts("qa.more")]
    return _fitted(texts, [Html(" ".join(head))] if head else [], answer.facts, tail)


async def render(answer: Answer, pages: content.Pages) -> Html:
    """The reply's text (what `reply_to` gives, without the facts left for "more")."""
    return (await reply_to(answer, pages)).text


async def render_more(texts: Texts, facts: Sequence[Fact], pages: content.Pages) -> Html:
    """The facts a "more" button held back, with their sources and date."""
    return _fitted(texts, [], facts, [await pages.as_of(texts)]).text


def plain(text: str) -> str:
    """Telegram HTML as the plain text of a result title or description."""
    return html.unescape(_TAG_RE.sub("", text))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _result(result_id: str, title: str, description: str, body: Html) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=_shorten(title, TITLE_LENGTH),
        description=_shorten(description, DESCRIPTION_LENGTH),
        input_message_content=InputTextMessageContent(
            split_html(body)[0] if len(body) > TELEGRAM_LIMIT else body,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        ),
    )


async def _status_result(
    store: Store, pages: content.Pages, texts: Texts
) -> InlineQueryResultArticle:
    body = await pages.status(texts)
    milestone = await store.milestones.current(texts.language)
    if milestone is None:
        return _result("status", texts.plain("status.none"), "", body)
    return _result(
        "status",
        texts.plain("qa.inline.status.title", stage=texts.plain(f"stage.{milestone.stage}")),
        plain(texts("status.when", date=texts.date(milestone.happened_on), place=milestone.place)),
        body,
    )


async def inline_results(
    answer: Answer, store: Store, pages: content.Pages
) -> list[InlineQueryResultArticle]:
    """The answer's facts (or articles) as inline results, and the status: first when the
    question asked for it or nothing matched, last otherwise."""
    texts = texts_for(answer.language)
    results = [
        _result(
            f"fact-{fact.id}",
            fact.text,
            plain(sourcing.source_line(texts, fact.source)),
            fact_item(texts, fact),
        )
        for fact in answer.facts
    ]
    results += [
        _result(
            f"article-{article.id}",
            article.title,
            f"{article.source}, {texts.date(article.published_date)}",
            content.article_line(texts, article),
        )
        for article in answer.articles
    ]
    status = await _status_result(store, pages, texts)
    if answer.kind in (AnswerKind.STATUS, AnswerKind.NOTHING):
        return [status, *results]
    return [*results, status]
