"""How a fact shows where it comes from and how old it is: source lines, facts that open
alike said once, and "as of <date> (1 year ago)". Shared by /facts and the answers."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from babel.dates import format_timedelta

from bot.i18n import Html, Texts, escape, link
from storage import Store
from storage.models import Fact, Source

MIN_LEAD = 40  # facts opening with this many shared characters say the opening once


# The source name stored for the editors' own answers (/questions): every reader sees it in
# their language ("редакция бота", "бот редакциясы"), not in the one the editor wrote first.
EDITORS = "visatalks:editors"


def source_name(texts: Texts, name: str) -> str:
    """A stored source name as the reader sees it."""
    return texts.plain("questions.source.editors") if name == EDITORS else name


def source_line(texts: Texts, source: Source) -> Html:
    """`Kazinform, 2 декабря 2025 г.`, linked when the URL is known."""
    name = source_name(texts, source.name)
    shown = link(source.url, name) if source.url else name
    return texts("source.line.html", source=shown, date=texts.date(source.published))


# Kazakh says "as of a date" with the date's locative-adjective ending, which follows the
# month name's last sound: 2 желтоқсандағы, 1 сәуірдегі, 5 қыркүйектегі.
_KAZAKH_MONTH_ENDINGS = {4: "дегі", 7: "дегі", 9: "тегі"}


async def knowledge_date(store: Store) -> dt.date | None:
    """The date of the newest thing the bot knows: an article (seed, feed or admin news) or a
    milestone."""
    dates = [a.published_date for a in await store.articles.latest(1)]
    dates += [m.happened_on for m in (await store.milestones.timeline("en"))[-1:]]
    return max(dates, default=None)


def as_of(texts: Texts, known: dt.date | None, today: dt.date) -> Html:
    """`As of 2 December 2025 (1 year ago).`: how old what the bot says is."""
    if known is None:
        return Html("")
    date = texts.date(known)
    if texts.language == "kk":
        date += _KAZAKH_MONTH_ENDINGS.get(known.month, "дағы")
    age = today - known
    if age.days < 1:
        return texts("asof.today.html", date=date)
    ago = format_timedelta(-age, granularity="day", add_direction=True, locale=texts.language)
    return texts("asof.html", date=date, age=ago.replace("\xa0", " "))


def _lead(items: Sequence[str]) -> str:
    """The words all `items` open with, up to a word's end, when long enough to say once."""
    if len(items) < 2:
        return ""
    shared = os.path.commonprefix(list(items))  # noqa: RUF071 (texts, not paths)
    lead = shared[: shared.rfind(" ") + 1] if " " in shared else ""
    return lead if len(lead) >= MIN_LEAD else ""


def _runs(facts: Sequence[Fact]) -> list[tuple[str, list[Fact]]]:
    """Consecutive facts of one source that open alike, with their shared opening (or "")."""
    runs: list[tuple[str, list[Fact]]] = []
    for fact in facts:
        if runs:
            lead, run = runs[-1]
            grown = [*run, fact]
            shared = _lead([f.text for f in grown])
            if run[0].source == fact.source and shared and (not lead or shared == lead):
                runs[-1] = (shared, grown)
                continue
        runs.append(("", [fact]))
    return runs


def fact_lines(texts: Texts, facts: Sequence[Fact], notes: dict[Source, int]) -> list[str]:
    """Bullets for `facts`, facts that open alike under their shared opening said once; each
    points at its source's number in `notes` (added as met) when there are several sources."""
    for fact in facts:
        notes.setdefault(fact.source, len(notes) + 1)
    numbered = len(notes) > 1
    lines = []
    for lead, run in _runs(facts):
        number = f" [{notes[run[0].source]}]" if numbered else ""
        if lead:
            lines.append(f"• {escape(lead.rstrip(' ,'))}:{number}")
            lines += [f"   – {escape(f.text[len(lead) :])}{_language_note(texts, f)}" for f in run]
        else:
            lines += [f"• {escape(f.text)}{_language_note(texts, f)}{number}" for f in run]
    return lines


def source_lines(texts: Texts, notes: dict[Source, int]) -> list[str]:
    """`Source: Kazinform, 2 December 2025`, or the numbered sources."""
    if len(notes) == 1:
        (source,) = notes
        return [texts("qa.source.html", source=source_line(texts, source))]
    return [f"[{number}] " + source_line(texts, source) for source, number in notes.items()]


def _language_note(texts: Texts, fact: Fact) -> str:
    if fact.language == texts.language:
        return ""
    return " " + texts("facts.language_note", language=fact.language.upper())
