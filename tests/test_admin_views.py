"""The admin screens /updates, a post's card, /stats, /broadcasts and /audit (issue 11): each
is read in a fixed number of statements however many rows it shows, drawn by a pure function
of that data, and building it changes nothing in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.admin import channels as channel_screens
from bot.admin import views
from bot.delivery.publishing import Announcement, publish
from bot.i18n import texts_for
from storage import Store, open_store
from storage.models import Mode, PostText

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
