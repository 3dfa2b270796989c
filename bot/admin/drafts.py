"""A /post draft: what the admin has chosen and typed so far, and what to ask next.

The draft lives in the admin's `context.user_data` (memory only: a restart forgets drafts,
never posts). Parsing the admin's answers (dates, places, links) is here too, so the
handlers only pass text in and show what comes back.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.admin import flow
from bot.admin.flow import Step
from bot.i18n import LANGUAGES
from storage.models import Post, PostText

KINDS = ("news", "milestone")
STAGES = range(1, 8)
PLACE_LIMIT = 80
LINK_LIMIT = 1000
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%d-%m-%Y")
_UNSAFE_IN_LINK = re.compile(r"[\s\"'<>\\^`{|}]")


@dataclass
class Draft:
    """One post being written (or a published one being corrected: `editing` is its update)."""

    id: str = field(default_factory=lambda: secrets.token_hex(2))
    kind: str | None = None
    stage: int | None = None
    happened_on: dt.date | None = None
    places: dict[str, str] = field(default_factory=dict)  # language -> place (milestones)
    texts: dict[str, str] = field(default_factory=dict)  # language -> Telegram HTML
    asked: set[str] = field(default_factory=set)  # languages asked (answered or skipped)
    link: str | None = None
    link_asked: bool = False
    editing: int | None = None
    step: Step = Step.KIND  # the question on screen (to resume after a timeout)
    language: str = LANGUAGES[0]  # the language asked at Step.TEXT
    back_to_preview: bool = False  # a field chosen from "change": its answer returns there
    offered_places: list[dict[str, str]] = field(default_factory=list)  # the place buttons
    resume_step: Step = Step.KIND  # the question to ask again when the admin resumes

    @property
    def milestone(self) -> bool:
        return self.kind == "milestone"

    def next_step(self) -> Step:
        """The next unanswered question, or the preview (a text question also sets which
        language it asks for, in `language`)."""
        if self.back_to_preview:
            return Step.PREVIEW
        if self.kind is None:
            return Step.KIND
        if self.milestone:
            if self.stage is None:
                return Step.STAGE
            if self.happened_on is None:
                return Step.DATE
            if not self.places:
                return Step.PLACE
        for language in LANGUAGES:
            if language not in self.asked:
                self.language = language
                return Step.TEXT
        if not self.texts:  # every language skipped: ask again from the first
            self.asked.clear()
            self.language = LANGUAGES[0]
            return Step.TEXT
        if not self.link_asked:
            return Step.LINK
        return Step.PREVIEW

    # The draft's buttons, one method an action. Each is only reached from the question that
    # shows its button (handlers.admin_post routes every verb per step); it returns the next
    # step, or None when the press cannot apply (an old button, a forged argument).

    def resume(self) -> Step:
        """Continue a draft put aside: the question it stood at."""
        return self.resume_step

    def change(self) -> Step:
        """The preview's "Change": which field; each answer then returns to the preview."""
        self.back_to_preview = True
        return Step.FIELD

    def back(self) -> Step | None:
        """Back to the preview, from a field chosen there."""
        return Step.PREVIEW if self.back_to_preview else None

    def choose_field(self, name: str) -> Step | None:
        """The question that changes field `name` ("change" menu); its answer returns here."""
        self.back_to_preview = True
        if name in LANGUAGES:
            self.language = name
            return Step.TEXT
        steps = {"stage": Step.STAGE, "date": Step.DATE, "place": Step.PLACE, "link": Step.LINK}
        if name == "kind" and self.editing is None:
            return Step.KIND
        if name in steps and (self.milestone or name == "link"):
            return steps[name]
        return None

    def choose_kind(self, kind: str) -> Step | None:
        if kind not in KINDS:
            return None
        self.kind = kind
        if self.milestone and (self.stage is None or self.happened_on is None):
            self.back_to_preview = False  # a milestone needs its stage, date and place
        return self.next_step()

    def choose_stage(self, stage: str) -> Step | None:
        if not (stage.isdigit() and int(stage) in STAGES):
            return None
        self.stage = int(stage)
        return self.next_step()

    def choose_date(self, day: str, today: dt.date) -> Step | None:
        """`today` or `yday` (yesterday)."""
        if day not in ("today", "yday"):
            return None
        self.happened_on = today - dt.timedelta(days=1 if day == "yday" else 0)
        return self.next_step()

    def choose_place(self, index: str) -> Step | None:
        """One of the places offered on the question's buttons, by its number."""
        if not index.isdigit() or int(index) >= len(self.offered_places):
            return None
        self.places = dict(self.offered_places[int(index)])
        return self.next_step()

    def skip(self) -> Step | None:
        """No text in the language asked (not offered for a field chosen from the preview)."""
        if self.back_to_preview:
            return None
        if not self.texts and self.language == LANGUAGES[-1]:
            return None  # at least one language
        self.asked.add(self.language)
        return self.next_step()

    def remove_text(self) -> Step | None:
        """A new post's text in the language on screen taken out (another must remain)."""
        if not self.back_to_preview or self.editing is not None:
            return None
        if set(self.texts) <= {self.language}:
            return None
        self.texts.pop(self.language, None)
        return self.next_step()

    def no_link(self) -> Step:
        """No source link (or the link removed)."""
        self.link, self.link_asked = None, True
        return self.next_step()

    def answer(self, markup: str, plain: str, today: dt.date) -> tuple[Step, str | None]:
        """Apply what the admin typed: the next step, and the catalogue key of what was wrong
        with it, if anything (then the same question is asked again)."""
        step = self.step
        if step is Step.TEXT:
            self.texts[self.language] = markup
            self.asked.add(self.language)
        elif step is Step.DATE:
            value = parse_date(plain, today)
            if value is None:
                return step, "admin.problem.date"
            self.happened_on = value
        elif step is Step.PLACE:
            places = parse_place(plain)
            if places is None:
                return step, "admin.problem.place"
            self.places = places
        elif step is Step.LINK:
            link = parse_link(plain)
            if link is None:
                return step, "admin.problem.link"
            self.link, self.link_asked = link, True
        else:
            return step, "admin.problem.buttons"
        return self.next_step(), None

    def place(self, language: str) -> str:
        """The place in `language`, else in any language given."""
        return self.places.get(language) or next(iter(self.places.values()), "")

    def post_texts(self) -> dict[str, PostText]:
        """What is kept of the post per language: its text (empty where the admin skipped the
        language) and a milestone's place, typed for each language whatever the texts."""
        return {
            language: PostText(
                self.texts.get(language, ""), self.place(language) if self.milestone else ""
            )
            for language in self.languages()
        }

    def languages(self) -> list[str]:
        """The languages with a text, or (a milestone) with a place of their own."""
        own_place = self.places if self.milestone else {}
        return [lang for lang in LANGUAGES if lang in self.texts or own_place.get(lang)]

    @classmethod
    def of_post(cls, post: Post) -> Draft:
        """A draft holding a published post, to correct it."""
        return cls(
            kind=post.kind,
            stage=post.stage,
            happened_on=post.happened_on,
            places=dict(post.places),
            texts={lang: text.body for lang, text in post.texts.items()},
            asked=set(LANGUAGES),
            link=post.source_url,
            link_asked=True,
            editing=post.update_id,
            back_to_preview=True,
        )


SLOT = flow.Slot("admin.draft", Draft)
current = SLOT.current
keep = SLOT.keep
drop = SLOT.drop


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """`2026-03-05`, `05.03.2026`, `5.3.26`, `05/03/2026`; from 2000 to a year ahead."""
    cleaned = text.strip().rstrip(".")
    for form in _DATE_FORMATS:
        try:
            value = dt.datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
        if dt.date(2000, 1, 1) <= value <= today + dt.timedelta(days=366):
            return value
        return None
    return None


def parse_place(text: str) -> dict[str, str] | None:
    """One name for every language, or `kk / ru / en` names separated by slashes."""
    names = [part.strip() for part in text.strip().split("/")]
    if not all(0 < len(name) <= PLACE_LIMIT and "\n" not in name for name in names):
        return None
    if len(names) == len(LANGUAGES):
        return dict(zip(LANGUAGES, names, strict=True))
    if len(names) == 1:
        return dict.fromkeys(LANGUAGES, names[0])
    return None


def parse_link(text: str) -> str | None:
    """An http(s) link (a bare `gov.kz/...` gets https://); None if it is not one."""
    link = text.strip()
    if not re.match(r"^https?://", link, re.IGNORECASE):
        link = "https://" + link
    if len(link) > LINK_LIMIT or _UNSAFE_IN_LINK.search(link):
        return None
    parts = urlsplit(link)
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or "." not in host.strip("."):
        return None
    return link


def host(link: str) -> str:
    """`www.gov.kz` -> `gov.kz`: a link's name where a title is wanted."""
    name = urlsplit(link).hostname or link
    return name.removeprefix("www.")
