"""The admin screens /updates, a post's card, /stats, /broadcasts and /audit (issue 11): each
is read in a fixed number of statements however many rows it shows, drawn by a pure function
of that data, and building it changes nothing in the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardMarkup

from bot.admin import channels as channel_screens
from bot.admin import views
from bot.admin.views.common import Page, bar, page_of
from bot.delivery.publishing import Announcement, publish
from bot.i18n import Html, texts_for
from storage import Store, open_store
from storage.channels import ChannelCounts
from storage.models import (
    AuditEntry,
    ChatCount,
    ChatState,
    DeliveryCounts,
    ErrorCount,
    Mode,
    Post,
    PostText,
    UpdateProgress,
)

ALMATY = ZoneInfo("Asia/Almaty")
CHANNEL = -1001234567890
READERS = (101, 102, 103, 104)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "views.sqlite3")
    yield opened
    await opened.close()


async def _seed(store: Store, rows: int) -> list[int]:
    """`rows` posts (every third withdrawn), each queued for four readers and a channel, one
    delivery of each failed and one sent, the rest still to go; `rows` audit entries."""
    for chat in READERS:
        await store.chats.seen(chat, "private", "ru")
        await store.chats.subscribe(chat, Mode.INSTANT)
    await store.channels.add(
        CHANNEL, title="News", username=None, language="ru", mode=Mode.INSTANT, added_by=1
    )
    numbers = []
    for n in range(rows):
        body = f"<b>Post {n}</b> about visas"
        published = await publish(store, Announcement("news", {"ru": body}, created_by=42))
        number = published.update_id
        await store.posts.save(
            update_id=number,
            token=f"t{n}",
            stage=None,
            happened_on=None,
            source_url="https://example.kz/a" if n % 2 else None,
            texts={"ru": PostText(body), "kk": PostText(f"Жазба {n}")},
        )
        due = [d for d in await store.outbox.due(1e12, 1000) if d.update_id == number]
        await store.outbox.fail([due[0].id], f"Forbidden {n % 2}")
        await store.db.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = '2026-01-01T00:00:00+00:00' "
            "WHERE id = ?",
            (due[1].id,),
        )
        if n % 3 == 2:
            await store.posts.withdraw(number, 42)
        await store.audit.record(42, "post.sent", f"#{number}", f"kind=news n={n}")
        numbers.append(number)
    return numbers


def _count_statements(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement sent to SQLite: each read passes Db._reading once (fetchval through
    fetchone included), each write Db.execute or Db.executemany."""
    seen: list[str] = []
    db = store.db
    reading = db._reading

    def read(sql: str) -> Any:
        seen.append(sql)
        return reading(sql)

    monkeypatch.setattr(db, "_reading", read)
    for name in ("execute", "executemany"):
        original = getattr(db, name)

        async def wrote(sql: str, *args: Any, _original: Any = original) -> Any:
            seen.append(sql)
            return await _original(sql, *args)

        monkeypatch.setattr(db, name, wrote)
    return seen


async def _dump(store: Store) -> list[str]:
    return [line async for line in store.db.conn.iterdump()]


Build = Callable[[Store, list[int]], Awaitable[object]]
TEXTS = texts_for("ru")
SCREENS: dict[str, Build] = {
    "updates": lambda store, _: views.updates_page(store, TEXTS, ALMATY),
    "updates_last_page": lambda store, _: views.updates_page(store, TEXTS, ALMATY, 99),
    "card": lambda store, numbers: views.post_card(store, TEXTS, ALMATY, numbers[0]),
    "stats": lambda store, _: views.stats(store, TEXTS, ALMATY, None),
    "stats_full": lambda store, _: views.full_stats(store, TEXTS, ALMATY, None),
    "stats_channels": lambda store, numbers: channel_screens.stats(
        store, TEXTS, numbers[::-1][: views.STATS_UPDATES]
    ),
    "broadcasts": lambda store, _: views.broadcasts(store, TEXTS, ALMATY),
    "audit": lambda store, _: views.audit_page(store, TEXTS, ALMATY),
}


async def _statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screen: str, rows: int
) -> list[str]:
    store = await open_store(tmp_path / f"{screen}-{rows}.sqlite3")
    try:
        numbers = await _seed(store, rows)
        before = await _dump(store)
        with monkeypatch.context() as patch:
            seen = _count_statements(store, patch)
            await SCREENS[screen](store, numbers)
        assert await _dump(store) == before, f"building {screen} changed the database"
        return seen
    finally:
        await store.close()


@pytest.mark.parametrize("screen", sorted(SCREENS))
async def test_a_screen_reads_as_many_statements_for_20_rows_as_for_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    few = await _statements(tmp_path, monkeypatch, screen, 2)
    many = await _statements(tmp_path, monkeypatch, screen, 20)
    print(f"{screen}: {len(few)} statements for 2 rows, {len(many)} for 20")
    assert len(many) == len(few), many
    assert all(q.lstrip().upper().startswith(("SELECT", "WITH")) for q in many), many


# ---------------------------------------------------------------------- the reads


async def test_the_grouped_reads_agree_with_the_per_update_verbs(store: Store) -> None:
    """progress / latest_progress / unfinished_progress and channels.counts_of give what
    counts, common_errors and channels.counts give one update at a time, ties included."""
    numbers = await _seed(store, 4)
    failures = ["Forbidden", "Forbidden", "Bad Request", "timeout", None]
    for chat, error in zip((*READERS, CHANNEL), failures, strict=True):
        await store.db.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ? "
            "WHERE update_id = ? AND chat_id = ?",
            (error, numbers[1], chat),
        )
    await store.outbox.cancel(numbers[3])
    grouped = await store.outbox.progress([*numbers, 999], errors=3)
    assert sorted(grouped) == numbers  # one that does not exist is left out
    for number in numbers:
        update = grouped[number]
        assert update.counts == await store.outbox.counts(number)
        assert list(update.errors) == await store.outbox.common_errors(number, 3)
        assert update.kind == "news" and update.id == number
    assert [e.error for e in grouped[numbers[1]].errors] == ["Forbidden", "", "Bad Request"]
    assert (await store.outbox.progress(numbers))[numbers[1]].errors == ()  # not asked for
    latest = await store.outbox.latest_progress(2, errors=3)
    assert [u.id for u in latest] == numbers[:1:-1]
    assert latest[0] == grouped[numbers[3]]
    running = await store.outbox.unfinished_progress(8)
    assert [u.id for u in running] == await store.outbox.unfinished(8)
    assert numbers[3] not in [u.id for u in running]
    reached = await store.channels.counts_of(numbers)
    for number in numbers:
        assert reached.get(number, ChannelCounts(0, 0)) == await store.channels.counts(number)
    assert await store.outbox.progress([]) == {} and await store.channels.counts_of([]) == {}


async def test_the_screens_data_is_frozen_and_drawn_alone(store: Store) -> None:
    """What a screen shows is its read drawn by its render, and the data cannot change."""
    numbers = await _seed(store, 7)
    texts = texts_for("en")
    page = await views.read_updates_page(store, 2)
    assert (page.number, page.pages) == (2, 2) and len(page.items) == 2
    assert views.render_updates_page(texts, page, ALMATY) == await views.updates_page(
        store, texts, ALMATY, 2
    )
    card = await views.read_card(store, numbers[0])
    assert card is not None and await views.read_card(store, 999) is None
    assert views.render_card(texts, card, ALMATY) == await views.post_card(
        store, texts, ALMATY, numbers[0]
    )
    shown = await views.read_broadcasts(store)
    assert views.render_broadcasts(texts, shown, ALMATY) == await views.broadcasts(
        store, texts, ALMATY
    )
    figures = await views.read_stats(store)
    assert views.render_stats(texts, figures, ALMATY, None) == await views.stats(
        store, texts, ALMATY, None
    )
    log = await views.read_audit_page(store)
    assert views.render_audit_page(texts, log, ALMATY) == await views.audit_page(
        store, texts, ALMATY
    )
    frozen = [
        (page, "items"),
        (card, "post"),
        (shown[0], "update"),
        (figures, "latest"),
        (log, "number"),
        (figures.latest[0], "counts"),
    ]
    for data, field in frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(data, field, None)


# ---------------------------------------------------------------------- pure renders

EN = texts_for("en")
AT = "2026-01-15T06:30:00+00:00"  # 11:30 in Almaty


def _post(number: int, *, withdrawn: bool = False, **extra: Any) -> Post:
    return Post(
        update_id=number,
        kind="news",
        token=f"t{number}",
        texts={"ru": PostText("<b>Визы</b> " + "слово " * 30), "en": PostText("<i>Visas</i>")},
        stage=None,
        happened_on=None,
        source_url=None,
        created_by=42,
        created_at=AT,
        edited_at=None,
        withdrawn_at=AT if withdrawn else None,
        **extra,
    )


def _progress(number: int, **counts: int) -> UpdateProgress:
    return UpdateProgress(number, "news", AT, DeliveryCounts(**counts))


def _buttons(markup: InlineKeyboardMarkup | None) -> list[list[str]]:
    assert markup is not None
    return [[str(b.callback_data) for b in row] for row in markup.inline_keyboard]


def test_a_page_keeps_within_the_list_and_a_bar_fills_with_what_is_done() -> None:
    assert page_of(0, 5, 1) == (1, 1) and page_of(11, 5, 99) == (3, 3)
    assert page_of(10, 5, 0) == (1, 2) and page_of(10, 5, -4) == (1, 2)
    assert bar(0, 10) == "▱" * 10 and bar(10, 10) == "▰" * 10 and bar(0, 0) == "▰" * 10
    assert bar(1, 3) == "▰▰▰▱▱▱▱▱▱▱" and bar(2, 3) == "▰▰▰▰▰▰▰▱▱▱"


def test_the_updates_page_shows_each_post_and_pages_both_ways() -> None:
    rows = (
        views.PostRow(_post(7), DeliveryCounts(sent=2, pending=1)),
        views.PostRow(_post(6, withdrawn=True), DeliveryCounts()),
    )
    shown = Page(2, 3, rows)
    text, keyboard = views.render_updates_page(EN, shown, ALMATY)
    assert text.startswith(EN("admin.updates.title.html", page=2, pages=3))
    assert "<b>#7</b>" in text and "Visas" in text and "ru" in text
    assert "✅ sent 2 · ⏳ waiting 1" in text  # the live post's delivery
    assert "🗑 Withdrawn 15 January 2026" in text and text.count("✅ sent") == 1
    assert "11:30" in text  # the admin's time zone
    assert _buttons(keyboard) == [
        ["adm:u.open.7", "adm:u.open.6"],
        ["adm:u.page.1", "adm:u.page.3"],
    ]
    single = views.render_updates_page(EN, Page(1, 1, rows[:1]), ALMATY)
    assert _buttons(single[1]) == [["adm:u.open.7"]]  # no pager on a single page
    assert views.render_updates_page(EN, Page(1, 1, ()), ALMATY) == (
        EN("admin.updates.none"),
        None,
    )


def test_a_cards_buttons_follow_its_delivery_and_a_withdrawn_one_keeps_only_the_way_back() -> None:
    errors = (ErrorCount("Forbidden", 3), ErrorCount("", 1))
    live = views.Card(_post(5), replace(_progress(5, paused=2, sent=1), errors=errors))
    text, keyboard = views.render_card(EN, live, ALMATY)
    assert "Most common errors: Forbidden ×3; ? ×1" in text and "Posted by 42" in text
    assert text.endswith("\n\n<b>English</b>\nVisas")
    assert _buttons(keyboard) == [
        ["adm:u.edit.5", "adm:u.withdraw.5"],
        ["adm:b.resume.5.card", "adm:b.cancel.5.card"],
        ["adm:u.page.1"],
    ]
    gone = views.Card(_post(5, withdrawn=True), _progress(5, cancelled=3))
    text, keyboard = views.render_card(EN, gone, ALMATY)
    assert "🗑 Withdrawn" in text and "Most common errors" not in text
    assert _buttons(keyboard) == [["adm:u.page.1"]]
    milestone = replace(
        _post(9), kind="milestone", stage=3, happened_on=dt.date(2026, 1, 10),
        places={"en": "Brussels"}, source_url="https://example.kz/a",
    )  # fmt: skip
    text, _ = views.render_card(EN, views.Card(milestone, _progress(9)), ALMATY)
    assert "10 January 2026, Brussels" in text and 'href="https://example.kz/a"' in text


def test_broadcasts_show_progress_bars_buttons_and_channels_only_when_there_are_any() -> None:
    shown = (
        views.Broadcast(
            _progress(8, sent=3, failed=1, pending=4, cancelled=2), ChannelCounts(sent=1, total=2)
        ),
        views.Broadcast(_progress(4, paused=1), ChannelCounts(sent=0, total=0)),
    )
    text, keyboard = views.render_broadcasts(EN, shown, ALMATY)
    first, second = text.split("\n\n")[1:]
    assert "<code>▰▰▰▰▰▱▱▱▱▱</code> 50%" in first  # 4 done of the 8 not cancelled
    assert "<code>▱▱▱▱▱▱▱▱▱▱</code> 0%" in second
    assert first.endswith(EN("channels.broadcast", sent=1, total=2))
    assert EN("channels.broadcast", sent=0, total=0) not in second
    assert _buttons(keyboard) == [
        ["adm:b.pause.8", "adm:b.cancel.8"],
        ["adm:b.resume.4", "adm:b.cancel.4"],
        ["adm:b.list"],
    ]
    none = views.render_broadcasts(EN, (), ALMATY)
    assert none[0] == EN("admin.broadcasts.none") and _buttons(none[1]) == [["adm:b.list"]]


def test_stats_count_active_subscribers_apart_and_show_feeds_only_when_given() -> None:
    census = (
        ChatCount("kk", Mode.INSTANT, ChatState.ACTIVE, 3),
        ChatCount("ru", Mode.DAILY, ChatState.ACTIVE, 2),
        ChatCount("ru", Mode.DAILY, ChatState.BLOCKED, 4),
        ChatCount("en", Mode.OFF, ChatState.ACTIVE, 5),
    )
    text = views.render_stats(EN, views.Stats(census, ()), ALMATY, None)
    assert "active 5 · blocked the bot 4 · gone 0" in text
    assert "Қазақша 3 · Русский 2 · English 0" in text
    assert "Chats without a subscription: 5" in text
    assert EN("admin.stats.no_updates") in text and EN("admin.stats.feeds.html") not in text
    latest = (replace(_progress(3, pending=2, paused=1, sent=4), errors=(ErrorCount("x", 2),)),)
    text = views.render_stats(EN, views.Stats((), latest), ALMATY, Html("2 feeds OK"))
    assert "#3 📰 News · 15 January 2026, 11:30: queued 3, sent 4, failed 0" in text
    assert "Most common errors: x ×2" in text
    assert text.endswith(f"{EN('admin.stats.feeds.html')}\n2 feeds OK")


def test_the_audit_page_shows_details_under_their_entries() -> None:
    entries = (
        AuditEntry(2, AT, 42, "post.sent", "#3", "kind=news"),
        AuditEntry(1, AT, 43, "refused", "/post", ""),
    )
    text, keyboard = views.render_audit_page(EN, Page(1, 2, entries), ALMATY)
    lines = text.split("\n")
    assert lines[0] == EN("admin.audit.title.html", page=1, pages=2)
    assert lines[2] == EN("admin.audit.detail.html", detail="kind=news") and len(lines) == 4
    assert _buttons(keyboard) == [["adm:a.page.2"]]
    assert views.render_audit_page(EN, Page(1, 1, ()), ALMATY) == (EN("admin.audit.none"), None)
