"""An Answer as Telegram shows it: a reply in HTML, or inline-mode results.

Every fact carries its source and date (bot.content.source_line); the status is the very
text of /status (bot.content.Pages). A reply is kept under Telegram's 4096 characters by
leaving out the last items rather than cutting one.
"""

from __future__ import annotations

import html
import re

from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from bot import content
from bot.answers.engine import Answer, AnswerKind
from bot.i18n import Html, Texts, texts_for
from bot.replies import NO_PREVIEW
from bot.textsplit import TELEGRAM_LIMIT, split_html
from storage import Store
from storage.models import Fact

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
        source=content.source_line(texts, fact.source),
    )


def _join(parts: list[Html], tail: list[Html]) -> Html:
    """Parts and tail joined by blank lines; trailing parts dropped until it fits."""
    while parts:
        text = "\n\n".join([*parts, *tail])
        if len(text) <= TELEGRAM_LIMIT:
            return Html(text)
        parts = parts[:-1]
    return Html("\n\n".join(tail))


async def render(answer: Answer, pages: content.Pages) -> Html:
    """The reply to a question, in the answer's language."""
    texts = texts_for(answer.language)
    parts: list[Html] = []
    tail: list[Html] = []
    if answer.reached is not None and (reached := await pages.reached(texts, answer.reached)):
        parts.append(reached)
    if answer.kind is AnswerKind.STATUS:
        parts.append(await pages.status(texts))
    if answer.note:
        parts.append(texts(answer.note))
    parts.extend(fact_item(texts, fact) for fact in answer.facts)
    if answer.kind is AnswerKind.FACTS:
        tail.append(texts("qa.more"))
    elif answer.kind in (AnswerKind.ARTICLES, AnswerKind.NEWS):
        news = answer.kind is AnswerKind.NEWS
        parts.insert(0, texts("news.title.html" if news else "qa.articles.html"))
        parts.extend(content.article_line(texts, a) for a in answer.articles)
        if news:
            tail.append(texts("qa.more_news"))
    elif answer.kind is AnswerKind.NOTHING:
        tail.append(texts("qa.nothing"))
    return _join(parts, tail)


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
            plain(content.source_line(texts, fact.source)),
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
