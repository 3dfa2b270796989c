"""What /channels shows admins: the channels with their health, and the questions of adding
one (its language, then its mode) and of removing one.

Buttons are `adm:c.<verb>.<channel id>[.<language>[.<mode>]]` (CHANNELS); every one is parsed
and its arguments checked here, so a forged or stale one is recognised as such.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.admin import flow
from bot.admin.screens import Screen, button
from bot.channels import CHANNEL_MODES, Found
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, Html, Texts, escape, link
from storage import Store
from storage.channels import Channel, ChannelCounts
from storage.models import ChatState, Mode

_CHANNEL_ID_RE = re.compile(r"^-100\d{6,16}$")
CHANNELS = callbacks.Buttons(
    flow.PREFIX, ("lang", "mode", "no", "rm", "rmyes", "list"), area="c", command="/channels"
)


@dataclass(frozen=True)
class ChannelPress:
    """A pressed /channels button, checked: a channel id, and a language and mode that exist."""

    verb: str
    chat_id: int
    language: str | None = None
    mode: Mode | None = None


def parse(raw: str | None) -> ChannelPress | None:
    """The press, or None for data that no /channels screen makes (forged or foreign)."""
    press = CHANNELS.parse(raw)
    if press is None or not _CHANNEL_ID_RE.match(press.arg(0)):
        return None
    language = press.arg(1) or None
    if language is not None and language not in LANGUAGES:
        return None
    mode = None
    if press.arg(2):
        modes = {m.value: m for m in CHANNEL_MODES}
        if press.arg(2) not in modes:
            return None
        mode = modes[press.arg(2)]
    return ChannelPress(press.verb, int(press.arg(0)), language, mode)


def name(title: str, username: str | None) -> Html:
    """`Title (@name)`, the username linked; a private channel by its title alone."""
    if username:
        return Html(f"{escape(title)} ({link(f'https://t.me/{username}', '@' + username)})")
    return Html(escape(title))


def mode_text(texts: Texts, mode: Mode, hour: int, zone: str) -> str:
    if mode is Mode.DAILY:
        return texts.plain("channels.mode.daily", time=f"{hour:02d}:00", zone=zone)
    return texts.plain("channels.mode.instant")


def ask_language(texts: Texts, found: Found) -> Screen:
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(LANGUAGE_NAMES[lang], CHANNELS.data("lang", found.chat_id, lang))
                for lang in LANGUAGES
            ],
            [button(texts.plain("channels.button.cancel"), CHANNELS.data("no", found.chat_id))],
        ]
    )
    return texts("channels.ask.language.html", channel=name(found.title, found.username)), keyboard


def ask_mode(texts: Texts, found: Found, language: str, hour: int, zone: str) -> Screen:
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(
                    texts.plain(f"channels.button.{mode.value}", time=f"{hour:02d}:00"),
                    CHANNELS.data("mode", found.chat_id, language, mode.value),
                )
                for mode in CHANNEL_MODES
            ],
            [button(texts.plain("channels.button.cancel"), CHANNELS.data("no", found.chat_id))],
        ]
    )
    text = texts(
        "channels.ask.mode.html",
        channel=name(found.title, found.username),
        language=LANGUAGE_NAMES[language],
        zone=zone,
    )
    return text, keyboard


def added(texts: Texts, found: Found, language: str, mode: Mode, hour: int, zone: str) -> Html:
    return texts(
        "channels.added.html",
        channel=name(found.title, found.username),
        language=LANGUAGE_NAMES[language],
        mode=mode_text(texts, mode, hour, zone),
    )


def _when(texts: Texts, iso: str | None, timezone: ZoneInfo) -> str:
    if iso is None:
        return texts.plain("channels.never")
    return texts.datetime(dt.datetime.fromisoformat(iso).astimezone(timezone))


def listing(
    texts: Texts, channels: list[Channel], timezone: ZoneInfo, hour: int, zone: str
) -> Screen:
    """Each channel: its language, mode and state; its last delivery and failures; a remove
    button. How to add one closes the list."""
    if not channels:
        return texts("channels.list.empty.html"), None
    blocks: list[str] = [texts("channels.list.title.html", count=len(channels))]
    rows: list[list[InlineKeyboardButton]] = []
    for number, channel in enumerate(channels, start=1):
        mode = (
            texts.plain("channels.mode.off")
            if channel.mode is Mode.OFF
            else mode_text(texts, channel.mode, hour, zone)
        )
        blocks.append(
            "\n".join(
                [
                    texts(
                        "channels.list.item.html",
                        number=number,
                        channel=name(channel.title, channel.username),
                        language=LANGUAGE_NAMES.get(channel.language, channel.language),
                        mode=mode,
                        state=texts.plain(f"channels.state.{channel.state.value}"),
                    ),
                    texts(
                        "channels.list.health",
                        last=_when(texts, channel.last_sent_at, timezone),
                        failed=channel.failed,
                        skipped=channel.skipped,
                    ),
                ]
            )
        )
        rows.append(
            [
                button(
                    texts.plain("channels.button.remove", number=number),
                    CHANNELS.data("rm", channel.chat_id),
                )
            ]
        )
    blocks.append(texts("channels.list.hint.html"))
    return Html("\n\n".join(blocks)), InlineKeyboardMarkup(rows)


def remove_question(texts: Texts, channel: Channel) -> Screen:
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(
                    texts.plain("channels.button.remove_yes"),
                    CHANNELS.data("rmyes", channel.chat_id),
                ),
                button(texts.plain("channels.button.back"), CHANNELS.data("list", channel.chat_id)),
            ]
        ]
    )
    return texts(
        "channels.remove.ask.html", channel=name(channel.title, channel.username)
    ), keyboard


async def stats(store: Store, texts: Texts, update_ids: list[int]) -> Html | None:
    """/stats: the channels by state, and what each of these updates reached of them (two
    statements, however many updates)."""
    channels = [c for c in await store.channels.listing() if c.mode is not Mode.OFF]
    if not channels:
        return None
    active = sum(c.state is ChatState.ACTIVE for c in channels)
    lines = [texts("channels.stats.html", active=active, gone=len(channels) - active)]
    reached = await store.channels.counts_of(update_ids)
    for update_id in update_ids:
        counts = reached.get(update_id)
        if counts is not None and counts.total:
            lines.append(
                texts(
                    "channels.stats.update", number=update_id, sent=counts.sent, total=counts.total
                )
            )
    return Html("\n".join(lines))


def broadcast_line(texts: Texts, counts: ChannelCounts) -> Html | None:
    """/broadcasts: how many of the channels an update goes to have it already."""
    if not counts.total:
        return None
    return texts("channels.broadcast", sent=counts.sent, total=counts.total)
