"""Texts per language that editors type one language at a time: a new fact (/facts_admin)
and the answer to a group of questions (/questions) both ask kk, then ru, then en; any of
them may be skipped, but not all. Also the few ways those texts are cut down for a button."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.admin.formatting import to_plain
from bot.admin.screens import Screen
from bot.content import TOPICS
from bot.i18n import LANGUAGES, Texts
from storage.models import FactRecord

TEXT_LIMIT = 700


@dataclass(kw_only=True)
class Wording:
    """The texts typed so far; an empty text is a language skipped. `language` is the one
    being asked."""

    texts: dict[str, str] = field(default_factory=dict)
    language: str = LANGUAGES[0]

    def written(self) -> dict[str, str]:
        return {lang: text for lang, text in self.texts.items() if text}

    def next_language(self) -> str | None:
        """The first language from the asked one on that was neither written nor skipped."""
        for language in LANGUAGES[LANGUAGES.index(self.language) :]:
            if language not in self.texts:
                return language
        return None

    def can_skip(self) -> bool:
        """Any language but the last one, and the last one once another was written."""
        return bool(self.written()) or self.language != LANGUAGES[-1]

    def skip(self) -> bool:
        """Skip the asked language, if it may be skipped."""
        if not self.can_skip():
            return False
        self.texts[self.language] = ""
        return True


def ask_text(
    texts: Texts,
    wording: Wording,
    prompt: str,
    cancel: InlineKeyboardButton,
    skip: InlineKeyboardButton | None,
) -> Screen:
    """Asks for the text in the asked language (the catalogue key `<prompt>.<language>`),
    with Skip when it may be skipped (and `skip` is offered at all), and Cancel."""
    row = [skip] if skip is not None and wording.can_skip() else []
    row.append(cancel)
    return texts(f"{prompt}.{wording.language}", limit=TEXT_LIMIT), InlineKeyboardMarkup([row])


def clean_text(text: str) -> str | None:
    """A text as typed, if it is one: one paragraph, at most TEXT_LIMIT characters."""
    cleaned = " ".join(text.split())
    return cleaned if 0 < len(cleaned) <= TEXT_LIMIT else None


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def snippet(texts: Texts, fact: FactRecord, limit: int) -> str:
    """The start of the fact's text in the reader's language, else in any it has."""
    language = next((lang for lang in (texts.language, *LANGUAGES) if fact.texts.get(lang)), "")
    return short(fact.texts.get(language, ""), limit)


def topic_label(texts: Texts, topic: str) -> str:
    return to_plain(texts(f"topic.{topic}.html")) if topic in TOPICS else topic
