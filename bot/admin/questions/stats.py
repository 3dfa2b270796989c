"""The questions' part of /stats: the answer rate per language over 7 and 30 days, and the
👍 / 👎 counts; one grouped query for both periods, drawn by a pure function."""

from __future__ import annotations

import datetime as dt

from bot.i18n import LANGUAGES, Html, Texts
from storage import Store
from storage.questions import PeriodRates

PERIODS = (7, 30)  # days


async def stats(store: Store, texts: Texts, now: dt.datetime | None = None) -> Html:
    """The answer rate per language over 7 and 30 days, and the 👍 / 👎 counts."""
    periods = await store.questions.periods(now or dt.datetime.now(dt.UTC), PERIODS)
    return render_stats(texts, periods)


def render_stats(texts: Texts, periods: list[PeriodRates]) -> Html:
    lines = [texts("questions.stats.title.html")]
    for period in periods:
        rates = {r.language: r for r in period.rates}
        asked = sum(r.asked for r in rates.values())
        answered = sum(r.answered for r in rates.values())
        per_language = " · ".join(
            f"{lang} {rates[lang].answered}/{rates[lang].asked}"
            for lang in LANGUAGES
            if lang in rates
        )
        lines.append(
            texts(
                "questions.stats.period",
                days=period.days,
                answered=answered,
                asked=asked,
                percent=round(100 * answered / asked) if asked else 0,
                languages=per_language or "—",
                up=period.feedback.up,
                down=period.feedback.down,
            )
        )
    return Html("\n".join(lines))
