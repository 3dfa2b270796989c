"""What the /post conversation shows: each question with its buttons, and the preview.

Texts come from the `admin` catalogue in the admin's language; button data from POST. The
screens are pure: what a question shows from the store is read first (`known`, one query at
most), and building a screen changes nothing, the draft included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.admin import flow
from bot.admin.drafts import Draft
from bot.admin.flow import Step
from bot.admin.posting import Audience
from bot.content import STAGES
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, escape
from storage import Store

Screen = tuple[Html, InlineKeyboardMarkup | None]
PLACES_OFFERED = 4
POST = callbacks.Buttons(
    flow.PREFIX,
    ("cancel", "back", "resume", "restart", "kind", "stage", "date", "place", "skip", "remove",
     "nolink", "field", "change", "send"),
    area="p",
    command="/post",
)  # fmt: skip


def button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _draft_button(
    texts: Texts, draft: Draft, key: str, verb: str, *args: object
) -> InlineKeyboardButton:
    return button(texts.plain(key), POST.data(verb, draft.id, *args))


def _cancel_row(texts: Texts, draft: Draft) -> list[InlineKeyboardButton]:
    return [_draft_button(texts, draft, "admin.button.cancel", "cancel")]


def _back_or(
    texts: Texts, draft: Draft, other: InlineKeyboardButton | None
) -> list[InlineKeyboardButton]:
    """A field chosen from "change" offers the way back to the preview instead of skipping."""
    if draft.back_to_preview:
        return [_draft_button(texts, draft, "admin.button.back", "back")]
    return [other] if other is not None else []


def summary(texts: Texts, draft: Draft) -> Html:
    """`🏁 Milestone · Раунды переговоров · kk, ru`: what a draft holds, in one line."""
    parts = [texts.plain(f"admin.kind.{draft.kind}") if draft.kind else "…"]
    if draft.milestone and draft.stage:
        parts.append(texts.plain(f"stage.{draft.stage}"))
    if draft.texts:
        parts.append(", ".join(lang for lang in LANGUAGES if lang in draft.texts))
    return Html(escape(" · ".join(parts)))


@dataclass(frozen=True)
class Known:
    """What a question shows from the store: the stage the talks have reached (0: none
    known), the places of the latest milestones (language -> name) offered as buttons."""

    stage: int = 0
    places: tuple[dict[str, str], ...] = ()


async def known(store: Store, step: Step, language: str) -> Known:
    """What the question at `step` shows from the store, in one query (none for most)."""
    if step is Step.STAGE:
        current = await store.milestones.current(language)
        return Known(stage=current.stage if current else 0)
    if step is Step.PLACE:
        return Known(places=tuple(await store.milestones.places(PLACES_OFFERED)))
    return Known()


def question(texts: Texts, draft: Draft, today: dt.date, known: Known) -> Screen:
    """The question for `draft.step` (any step but the preview); a place button's number is
    the place's index in `known.places` (the draft keeps them as `offered_places`)."""
    step = draft.step
    rows: list[list[InlineKeyboardButton]] = []
    if step is Step.RESUME:
        text = texts("admin.post.resume.html", summary=summary(texts, draft))
        rows.append(
            [
                _draft_button(texts, draft, "admin.button.continue", "resume"),
                _draft_button(texts, draft, "admin.button.restart", "restart"),
            ]
        )
        return text, InlineKeyboardMarkup(rows)
    if step is Step.KIND:
        text = texts("admin.post.kind.html")
        rows.append(
            [
                _draft_button(texts, draft, "admin.kind.news", "kind", "news"),
                _draft_button(texts, draft, "admin.kind.milestone", "kind", "milestone"),
            ]
        )
    elif step is Step.STAGE:
        now = known.stage
        text = texts("admin.post.stage.html", current=texts(f"stage.{now}") if now else "—")
        for stage in range(1, STAGES + 1):
            mark = "✓ " if stage == now else ""
            label = f"{mark}{stage} · {texts.plain(f'stage.{stage}')}"
            rows.append([button(label, POST.data("stage", draft.id, stage))])
    elif step is Step.DATE:
        text = texts("admin.post.date.html")
        yesterday = today - dt.timedelta(days=1)
        rows.append(
            [
                button(
                    texts.plain("admin.button.today", date=texts.date(today)),
                    POST.data("date", draft.id, "today"),
                ),
                button(
                    texts.plain("admin.button.yesterday", date=texts.date(yesterday)),
                    POST.data("date", draft.id, "yday"),
                ),
            ]
        )
        rows.append(_back_or(texts, draft, None))
    elif step is Step.PLACE:
        text = texts("admin.post.place.html")
        rows += [
            [
                button(
                    place.get(texts.language) or next(iter(place.values())),
                    POST.data("place", draft.id, index),
                )
            ]
            for index, place in enumerate(known.places)
        ]
        rows.append(_back_or(texts, draft, None))
    elif step is Step.TEXT:
        language = draft.language
        last_chance = not draft.texts and language == LANGUAGES[-1]
        text = texts(f"admin.post.text.{language}.html")
        if last_chance:
            text = Html(text + "\n\n" + texts("admin.post.text.needed"))
        skip = None if last_chance else _draft_button(texts, draft, "admin.button.skip", "skip")
        row = _back_or(texts, draft, skip)
        others = [lang for lang in draft.texts if lang != language]
        if draft.back_to_preview and draft.editing is None and language in draft.texts and others:
            row.append(
                button(
                    texts.plain("admin.button.remove", language=LANGUAGE_NAMES[language]),
                    POST.data("remove", draft.id),
                )
            )
        rows.append(row)
    elif step is Step.LINK:
        text = texts("admin.post.link.html")
        row = _back_or(texts, draft, _draft_button(texts, draft, "admin.button.no_link", "nolink"))
        if draft.back_to_preview and draft.link:
            row.append(_draft_button(texts, draft, "admin.button.remove_link", "nolink"))
        rows.append(row)
    elif step is Step.FIELD:
        text = texts("admin.post.field.html", summary=summary(texts, draft))
        fields = [] if draft.editing is not None else [("kind", "admin.field.kind")]
        if draft.milestone:
            fields += [
                ("stage", "admin.field.stage"),
                ("date", "admin.field.date"),
                ("place", "admin.field.place"),
            ]
        rows += [
            [_draft_button(texts, draft, key, "field", name) for name, key in fields[i : i + 2]]
            for i in range(0, len(fields), 2)
        ]
        rows.append(
            [
                button(f"✏️ {LANGUAGE_NAMES[lang]}", POST.data("field", draft.id, lang))
                for lang in LANGUAGES
            ]
        )
        rows.append(
            [
                _draft_button(texts, draft, "admin.field.link", "field", "link"),
                _draft_button(texts, draft, "admin.button.preview", "back"),
            ]
        )
    else:
        raise ValueError(f"no question for {step}")
    rows.append(_cancel_row(texts, draft))
    return text, InlineKeyboardMarkup([row for row in rows if row])


def preview_controls(
    texts: Texts, draft: Draft, audience: Audience, delivered: int | None
) -> Screen:
    """Under the preview: who it goes to (or what a correction does), Send / Change / Cancel."""
    missing = [lang for lang in LANGUAGES if lang not in draft.texts]
    lines = [texts("admin.preview.title.html")]
    if missing:
        names = ", ".join(LANGUAGE_NAMES[lang] for lang in missing)
        lines.append(texts("admin.preview.missing", languages=names))
    if draft.editing is None:
        lines.append(
            texts(
                "admin.preview.audience.html",
                total=audience.total,
                instant=audience.instant,
                digest=audience.digest,
            )
        )
        send_key = "admin.button.send"
    else:
        lines.append(
            texts("admin.preview.correction.html", number=draft.editing, delivered=delivered or 0)
        )
        send_key = "admin.button.save"
    keyboard = InlineKeyboardMarkup(
        [
            [_draft_button(texts, draft, send_key, "send")],
            [
                _draft_button(texts, draft, "admin.button.change", "change"),
                _draft_button(texts, draft, "admin.button.cancel", "cancel"),
            ],
        ]
    )
    return Html("\n\n".join(lines)), keyboard
