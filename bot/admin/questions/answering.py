"""The editors' answer to a group of questions, being written: its topic, its text per
language (bot.admin.wording), its source (a link, or the editors themselves), then a preview
of exactly what the askers will read. The draft's steps and the screens that ask them."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from enum import IntEnum
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import content, sourcing
from bot.admin import flow, wording
from bot.admin.questions.grouping import Group
from bot.admin.questions.screens import PHRASINGS_SHOWN, QUESTIONS
from bot.admin.screens import Screen, button
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, texts_for
from storage.models import Source


class AnswerStep(IntEnum):
    TOPIC = 31
    TEXT = 32  # the draft's `language` says which one
    SOURCE = 33
    PREVIEW = 34


@dataclass
class AnswerDraft(wording.Wording):
    """The editors' answer to one group, being written."""

    key: int  # the group's newest question
    id: str = field(default_factory=lambda: secrets.token_hex(2))
    topic: str | None = None
    url: str | None = None
    step: AnswerStep = AnswerStep.TOPIC

    def choose_topic(self, topic: str) -> bool:
        """The answer's topic, asked first; False for anything else."""
        if self.step is not AnswerStep.TOPIC or topic not in content.TOPICS:
            return False
        self.topic = topic
        return True

    def skip_language(self) -> bool:
        """Skip: no answer in the asked language (not all may be skipped)."""
        return self.step is AnswerStep.TEXT and self.skip()

    def by_editors(self) -> bool:
        """Editors: the editors themselves are the source, no link."""
        if self.step is not AnswerStep.SOURCE:
            return False
        self.url = None
        return True


SLOT = flow.Slot("admin.answer", AnswerDraft)
current = SLOT.current
keep = SLOT.keep
drop = SLOT.drop


def take_text(texts: Texts, draft: AnswerDraft, typed: str) -> Html | None:
    """The text in the asked language, or the source link; what is wrong with it, if it
    does not do (None once it is taken)."""
    if draft.step is AnswerStep.TEXT:
        text = wording.clean_text(typed)
        if text is None:
            return texts("questions.too_long", limit=wording.TEXT_LIMIT)
        draft.texts[draft.language] = text
        return None
    if draft.step is AnswerStep.SOURCE:
        url = clean_url(typed)
        if url is None:
            return texts("questions.bad_link")
        draft.url = url
        return None
    return texts("admin.problem.buttons")


def advance(draft: AnswerDraft) -> None:
    """On to the next question: the next language to write, then the source, the preview."""
    if draft.step is AnswerStep.TOPIC or draft.step is AnswerStep.TEXT:
        language = draft.next_language()
        if language is not None:
            draft.language = language
            draft.step = AnswerStep.TEXT
        else:
            draft.step = AnswerStep.SOURCE
    else:
        draft.step = AnswerStep.PREVIEW


def question(texts: Texts, draft: AnswerDraft, group: Group) -> Screen:
    """The screen of the step the draft is at."""
    if draft.step is AnswerStep.TOPIC:
        return topics(texts, draft, group)
    if draft.step is AnswerStep.TEXT:
        return ask_text(texts, draft)
    if draft.step is AnswerStep.SOURCE:
        return ask_source(texts, draft)
    return preview(texts, draft, group)


def topics(texts: Texts, draft: AnswerDraft, group: Group) -> Screen:
    """The group's phrasings, and the topics to file the answer under."""
    buttons = [
        button(wording.topic_label(texts, topic), QUESTIONS.data("atopic", draft.id, topic))
        for topic in content.TOPICS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_cancel(texts, draft)])
    asked = "\n".join(texts("questions.phrasing.html", text=wording.short(q.text, 200))
                      for q in group.questions[:PHRASINGS_SHOWN])  # fmt: skip
    return Html(f"{asked}\n\n{texts('questions.ask_topic')}"), InlineKeyboardMarkup(rows)


def ask_text(texts: Texts, draft: AnswerDraft) -> Screen:
    skip = button(texts.plain("questions.button.skip"), QUESTIONS.data("askip", draft.id))
    return wording.ask_text(texts, draft, "questions.ask_text", _cancel(texts, draft), skip)


def ask_source(texts: Texts, draft: AnswerDraft) -> Screen:
    rows = [
        [button(texts.plain("questions.button.editors"), QUESTIONS.data("aeditors", draft.id))],
        [_cancel(texts, draft)],
    ]
    return texts("questions.ask_source"), InlineKeyboardMarkup(rows)


def _cancel(texts: Texts, draft: AnswerDraft) -> InlineKeyboardButton:
    return button(texts.plain("questions.button.cancel"), QUESTIONS.data("acancel", draft.id))


def clean_url(text: str) -> str | None:
    """A source link as typed, if it is an http(s) link."""
    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc and " " not in url and len(url) <= 500:
        return url
    return None


def source_of(draft: AnswerDraft) -> Source:
    if draft.url:
        return Source(urlsplit(draft.url).netloc, draft.url, dt.date.today())
    return Source(sourcing.EDITORS, None, dt.date.today())


def preview(texts: Texts, draft: AnswerDraft, group: Group) -> Screen:
    """Exactly what the askers will read, per language; Save / Cancel."""
    written = draft.written()
    parts: list[str] = [
        texts("questions.preview.html", count=len(group.questions), waiting=group.waiting)
    ]
    for language in LANGUAGES:
        if language in written:
            parts.append(f"<b>{LANGUAGE_NAMES[language]}</b>\n{delivered(draft, language)}")
    rows = [[
        button(texts.plain("questions.button.save"), QUESTIONS.data("asave", draft.id)),
        _cancel(texts, draft),
    ]]  # fmt: skip
    return Html("\n\n".join(parts)), InlineKeyboardMarkup(rows)


def delivered(draft: AnswerDraft, language: str) -> Html:
    """The message an asker reading `language` gets (written in that language)."""
    texts = texts_for(language)
    return texts(
        "questions.delivered.html",
        text=draft.texts[language],
        source=sourcing.source_line(texts, source_of(draft)),
    )
