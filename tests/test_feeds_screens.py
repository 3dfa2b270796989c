"""The /feeds screens (issue 11): read in a fixed number of queries however many rows, drawn
by pure functions of that data, and building them changes nothing in the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.feeds import admin
from bot.i18n import texts_for
from storage import Store, open_store
from storage.feeds import FeedsOverview, KeptOutItem

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "screens.sqlite3")
    yield opened
    await opened.close()


async def _follow(store: Store, feeds: int, kept_per_feed: int) -> None:
    for n in range(feeds):
        assert await store.feeds.add(f"https://news{n}.kz/rss", 42, NOW)
    for feed in await store.feeds.active():
        items = [
            KeptOutItem(f"g:{feed.id}:{k}", "visa-elsewhere", f"Visas {feed.id}.{k}", "S",
                        f"https://news.kz/{feed.id}/{k}", None, "ru", NOW)
            for k in range(kept_per_feed)
        ]  # fmt: skip
        await store.feeds.keep_out(feed.id, items, NOW)


def _count_reads(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    db = store.feeds.db
    for name in ("fetchone", "fetchall", "fetchval", "execute", "executemany"):
        original = getattr(db, name)

        async def counted(sql: str, *args: Any, _original: Any = original) -> Any:
            seen.append(sql)
            return await _original(sql, *args)

        monkeypatch.setattr(db, name, counted)
    return seen


async def _dump(store: Store) -> list[str]:
    return [line async for line in store.db.conn.iterdump()]


@pytest.mark.parametrize(("feeds", "kept_per_feed"), [(1, 1), (6, 3)])
async def test_the_overview_is_two_queries_whatever_the_rows_and_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch, feeds: int, kept_per_feed: int
) -> None:
    await _follow(store, feeds, kept_per_feed)
    before = await _dump(store)
    queries = _count_reads(store, monkeypatch)
    text, keyboard = await admin.overview(store, texts_for("en"), ALMATY)
    assert len(queries) == 2, queries  # the feeds, the items kept out: never one per row
    assert all(q.lstrip().upper().startswith("SELECT") for q in queries)
    assert await _dump(store) == before
    shown = min(feeds * kept_per_feed, admin.KEPT_OUT_SHOWN)
    assert keyboard is not None
    assert sum(len(row) for row in keyboard.inline_keyboard) == shown
    assert all(f"#{n}" in text for n in range(1, feeds + 1))


async def test_the_screens_are_drawn_from_the_data_alone(store: Store) -> None:
    """The same data draws the same screen, with no store at hand; the data is frozen."""
    await _follow(store, 2, 6)
    data = await store.feeds.overview(admin.KEPT_OUT_SHOWN)
    assert isinstance(data, FeedsOverview)
    assert len(data.feeds) == 2 and len(data.kept_out) == admin.KEPT_OUT_SHOWN
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.feeds = ()  # type: ignore[misc]
    texts = texts_for("ru")
    first = admin.render_overview(texts, data, ALMATY)
    assert admin.render_overview(texts, data, ALMATY) == first
    assert first == await admin.overview(store, texts, ALMATY)
    text, keyboard = first
    assert keyboard is not None
    buttons = [b for row in keyboard.inline_keyboard for b in row]
    assert [b.callback_data for b in buttons] == [admin.let_in_data(k.id) for k in data.kept_out]
    assert text.startswith(admin.render_listing(texts, data.feeds, ALMATY))
    assert admin.render_kept_out(texts, ())[1] is None
    assert admin.render_listing(texts, (), ALMATY) == texts("feeds.list.empty.html")
