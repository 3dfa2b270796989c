"""/stats: subscribers by state, language and mode; the latest updates' delivery and their
common errors; the news feeds' health."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.admin.channels import stats as channel_stats
from bot.admin.questions.stats import stats as question_stats
from bot.admin.state import FeedHealth
from bot.admin.views.common import errors_line, when
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts
from storage import Store
from storage.models import ChatCount, ChatState, Mode, UpdateProgress

STATS_UPDATES = 5
STATS_ERRORS = 3


@dataclass(frozen=True)
class Stats:
    """How many chats have each (language, mode, state); the latest updates' delivery."""

    census: tuple[ChatCount, ...]
    latest: tuple[UpdateProgress, ...]


async def read_stats(store: Store) -> Stats:
    """Three statements: the census, the latest updates with their counts, their errors."""
    census = await store.chats.census()
    latest = await store.outbox.latest_progress(STATS_UPDATES, errors=STATS_ERRORS)
    return Stats(tuple(census), tuple(latest))


def _subscribers(texts: Texts, census: tuple[ChatCount, ...]) -> str:
    states: Counter[ChatState] = Counter()
    languages: Counter[str] = Counter()
    modes: Counter[Mode] = Counter()
    unsubscribed = 0
    for row in census:
        if row.mode is Mode.OFF:
            unsubscribed += row.count
            continue
        states[row.state] += row.count
        if row.state is ChatState.ACTIVE:
            languages[row.language] += row.count
            modes[row.mode] += row.count
    return "\n".join(
        [
            texts(
                "admin.stats.subscribers.html",
                active=states[ChatState.ACTIVE],
                blocked=states[ChatState.BLOCKED],
                gone=states[ChatState.GONE],
            ),
            texts(
                "admin.stats.languages",
                list=" · ".join(f"{LANGUAGE_NAMES[lang]} {languages[lang]}" for lang in LANGUAGES),
            ),
            texts(
                "admin.stats.modes",
                list=" · ".join(
                    f"{texts.plain(f'admin.mode.{mode.value}')} {modes[mode]}"
                    for mode in (Mode.INSTANT, Mode.DAILY, Mode.WEEKLY)
                ),
            ),
            texts("admin.stats.unsubscribed", count=unsubscribed),
        ]
    )


def _latest(texts: Texts, latest: tuple[UpdateProgress, ...], timezone: ZoneInfo) -> str:
    lines = [texts("admin.stats.updates.html")]
    if not latest:
        lines.append(texts("admin.stats.no_updates"))
    for update in latest:
        counts = update.counts
        lines.append(
            texts(
                "admin.stats.update",
                number=update.id,
                kind=texts.plain(f"admin.kind.{update.kind}"),
                when=when(texts, update.created_at, timezone),
                queued=counts.pending + counts.paused,
                sent=counts.sent,
                failed=counts.failed,
            )
        )
        if update.errors:
            lines.append(texts("admin.errors", errors=errors_line(update.errors)))
    return "\n".join(lines)


def render_stats(texts: Texts, shown: Stats, timezone: ZoneInfo, feeds: Html | None) -> Html:
    """The subscribers, the latest updates, then the feeds' health if there is any."""
    blocks = [
        texts("admin.stats.title.html"),
        _subscribers(texts, shown.census),
        _latest(texts, shown.latest, timezone),
    ]
    if feeds:
        blocks.append(f"{texts('admin.stats.feeds.html')}\n{feeds}")
    return Html("\n\n".join(blocks))


async def stats(
    store: Store, texts: Texts, timezone: ZoneInfo, feed_health: FeedHealth | None
) -> Html:
    """Subscribers by state, language and mode; the latest updates' delivery; feed health."""
    return (await _stats(store, texts, timezone, feed_health))[0]


async def full_stats(
    store: Store, texts: Texts, timezone: ZoneInfo, feed_health: FeedHealth | None
) -> Html:
    """All of /stats: the part above, the editors' answer rates, and the channels' reach of
    the same latest updates (read once for both)."""
    text, shown = await _stats(store, texts, timezone, feed_health)
    blocks = [text, await question_stats(store, texts)]
    reach = await channel_stats(store, texts, [update.id for update in shown.latest])
    return Html("\n\n".join([*blocks, *([reach] if reach is not None else [])]))


async def _stats(
    store: Store, texts: Texts, timezone: ZoneInfo, feed_health: FeedHealth | None
) -> tuple[Html, Stats]:
    shown = await read_stats(store)
    feeds = await feed_health(texts) if feed_health is not None else None
    return render_stats(texts, shown, timezone, feeds), shown
