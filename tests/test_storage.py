"""Storage: migrations, seeds loaded once and updated in place, language fallback, chats."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.seeds import SEEDS_DIR, load_seeds
from storage import open_store
from storage.db import migrations
from storage.models import ChatState, Mode


async def test_migrations_set_the_schema_version(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        version = await store.db.fetchval("PRAGMA user_version")
        assert version == migrations()[-1][0]
        assert await store.db.fetchval("PRAGMA journal_mode") == "wal"
    finally:
        await store.close()


async def test_seeds_twice_add_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    for _ in range(2):
        store = await open_store(path)
        counts = await load_seeds(store)
        assert await store.articles.count() == counts.articles == 2
        assert await store.facts.count() == counts.facts >= 25
        assert await store.milestones.count() == counts.milestones == 1
        await store.close()


async def test_edited_seed_updates_its_row(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        await load_seeds(store, seeds)
        facts = seeds / "facts.toml"
        text = facts.read_text(encoding="utf-8")
        first_en = next(line for line in text.splitlines() if line.startswith("en = "))
        facts.write_text(text.replace(first_en, 'en = "Edited fact."', 1), encoding="utf-8")
        await load_seeds(store, seeds)
        english = await store.facts.active("en")
        assert english[0].text == "Edited fact."
        assert sum(f.text == "Edited fact." for f in english) == 1
        assert len(english) == await store.facts.count()
    finally:
        await store.close()


async def test_facts_and_milestones_carry_source_and_language(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        await load_seeds(store)
        for language in ("kk", "ru", "en"):
            facts = await store.facts.active(language)
            assert all(f.language == language and f.text for f in facts)
            assert {f.source.name for f in facts} == {"Kazinform"}
            milestone = await store.milestones.current(language)
            assert milestone is not None and milestone.stage == 2
            assert milestone.happened_on.isoformat() == "2025-12-02"
        assert (await store.milestones.current("en")).place == "Brussels"  # type: ignore[union-attr]
    finally:
        await store.close()


async def test_missing_language_falls_back_to_russian(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        await load_seeds(store)
        article = (await store.articles.latest(1))[0]
        await store.facts.upsert_keyed(
            key="ru-only", topic="talks", position=999, article_id=article.id, keywords="",
            texts={"ru": "Только по-русски."},
        )  # fmt: skip
        fact = next(f for f in await store.facts.active("kk") if f.key == "ru-only")
        assert (fact.language, fact.text) == ("ru", "Только по-русски.")
    finally:
        await store.close()


async def test_chat_language_follows_telegram_until_chosen(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        chat = await store.chats.seen(7, "private", "kk")
        assert (chat.language, chat.mode, chat.state) == ("kk", Mode.OFF, ChatState.ACTIVE)
        assert (await store.chats.seen(7, "private", "en")).language == "en"
        await store.chats.choose_language(7, "ru")
        assert (await store.chats.seen(7, "private", "en")).language == "ru"
        await store.chats.subscribe(7, Mode.DAILY, digest_hour=20)
        chat = await store.chats.seen(7, "private", "en")
        assert (chat.mode, chat.digest_hour) == (Mode.DAILY, 20)
    finally:
        await store.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with store.db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO chats (id, type, language, first_seen, last_seen) "
                    "VALUES (1, 'private', 'ru', '', '')"
                )
                raise RuntimeError("boom")
        assert await store.chats.get(1) is None
    finally:
        await store.close()


@pytest.mark.parametrize("moment", ["at BEGIN", "inside", "at COMMIT"])
async def test_a_transaction_cancelled_at_any_moment_leaves_the_connection_clean(
    tmp_path: Path, moment: str
) -> None:
    """A task cancelled in a transaction (a shutdown stopping a background task) must not
    leave the one shared connection inside it: every later write would be lost."""
    store = await open_store(tmp_path / "a.sqlite3")
    db = store.db
    inside = asyncio.Event()

    async def write() -> None:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO chats (id, type, language, first_seen, last_seen) "
                "VALUES (1, 'private', 'ru', '', '')"
            )
            if moment == "inside":
                inside.set()
                await asyncio.sleep(10)

    original = db.conn.execute

    def cancel_on(sql: str, *args: object) -> Any:
        if sql == moment.removeprefix("at ").replace("BEGIN", "BEGIN IMMEDIATE"):
            task.cancel()  # arrives while aiosqlite runs the statement in its thread
        return original(sql, *args)

    try:
        db.conn.execute = cancel_on  # type: ignore[method-assign]
        task = asyncio.create_task(write())
        if moment == "inside":
            await inside.wait()
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        db.conn.execute = original  # type: ignore[method-assign]
        assert task.cancelled()
        assert not db.conn.in_transaction
        committed = moment == "at COMMIT"  # the COMMIT had been handed over: it ran
        assert (await store.chats.get(1) is not None) is committed
        async with db.transaction() as tx:  # the next one works
            await tx.execute("DELETE FROM chats")
        assert await store.chats.get(1) is None
    finally:
        db.conn.execute = original  # type: ignore[method-assign]
        await store.close()


async def test_a_migration_numbered_below_the_applied_ones_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Branches land migrations in any order: a late 0003 after 0004 must still be applied."""
    import storage.db as db_module

    shipped = db_module.migrations()
    late = next(m for m in shipped if m[0] == 3)
    monkeypatch.setattr(db_module, "migrations", lambda: [m for m in shipped if m != late])
    store = await open_store(tmp_path / "a.sqlite3")
    await store.close()
    monkeypatch.setattr(db_module, "migrations", lambda: shipped)
    store = await open_store(tmp_path / "a.sqlite3")
    try:
        applied = await store.db.fetchall("SELECT version FROM schema_migrations ORDER BY 1")
        assert [row[0] for row in applied] == [m[0] for m in shipped]
        assert await store.db.fetchval("PRAGMA user_version") == shipped[-1][0]
    finally:
        await store.close()
