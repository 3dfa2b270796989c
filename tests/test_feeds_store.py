"""Feed settings and the feeds repository: FEEDS and FEED_* parsing, the list admins manage."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from storage import Store, open_store
from storage.feeds import (
    KEPT_OUT_MAX_AGE,
    SEEN_KEEP_PER_FEED,
    SEEN_MAX_AGE,
    KeptOutItem,
    Removal,
)

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


def test_feed_settings_are_parsed() -> None:
    settings = load_settings(
        {
            "FEEDS": "https://a.kz/rss, https://b.kz/atom\nhttps://a.kz/rss",
            "FEED_INTERVAL_MINUTES": "30",
            "FEED_TIMEOUT_SECONDS": "5",
            "FEED_MAX_BYTES": "1048576",
        }
    )
    assert settings.feeds == ("https://a.kz/rss", "https://b.kz/atom")
    options = settings.feed_options
    assert options.interval == dt.timedelta(minutes=30) and options.timeout == 5
    assert options.max_bytes == 1024 * 1024 and options.max_redirects == 5
    assert "https://a.kz" not in repr(settings)  # feed URLs may carry keys
    defaults = load_settings({}).feed_options
    assert defaults.interval == dt.timedelta(minutes=15) and defaults.max_bytes == 5 * 1024**2


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FEEDS", "ftp://a.kz/rss"),
        ("FEEDS", "news.kz/rss"),
        ("FEED_INTERVAL_MINUTES", "4"),  # never more often than every 5 minutes
        ("FEED_INTERVAL_MINUTES", "often"),
        ("FEED_MAX_BYTES", "-1"),
        ("FEED_TIMEOUT_SECONDS", "0"),
    ],
)
def test_bad_feed_settings_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})
    assert caught.value.variable == variable


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "feeds.sqlite3")
    yield opened
    await opened.close()


async def test_configured_feeds_follow_the_setting(store: Store) -> None:
    await store.feeds.sync_configured(["https://a.kz/rss", "https://b.kz/rss"], NOW)
    await store.feeds.sync_configured(["https://b.kz/rss"], NOW)
    assert [f.url for f in await store.feeds.active()] == ["https://b.kz/rss"]
    assert await store.feeds.remove("https://b.kz/rss") is Removal.CONFIGURED
    assert await store.feeds.due(NOW) == await store.feeds.active()
    assert await store.feeds.due(NOW - dt.timedelta(seconds=1)) == []


async def test_a_removed_feed_remembers_what_it_has_seen(store: Store) -> None:
    assert await store.feeds.add("https://a.kz/rss", 42, NOW)
    assert not await store.feeds.add("https://a.kz/rss", 42, NOW)
    (feed,) = await store.feeds.active()
    assert feed.origin == "admin"
    await store.feeds.mark_seen(feed.id, ["g:1", "g:2"], NOW)
    assert await store.feeds.remove("https://a.kz/rss") is Removal.REMOVED
    assert await store.feeds.remove("https://a.kz/rss") is Removal.MISSING
    assert await store.feeds.active() == []
    assert await store.feeds.add("https://a.kz/rss", 43, NOW)
    assert await store.feeds.unseen(feed.id, ["g:1", "g:2", "g:3"]) == {"g:3"}


async def test_feed_articles_are_deduplicated_by_key_url_and_text(store: Store) -> None:
    common: dict[str, Any] = {
        "source": "S",
        "guid": None,
        "language": "ru",
        "published_at": "2025-12-02",
    }
    first = await store.articles.add_from_feed(
        key="feed:a", url="https://a.kz/1", title="T", body="B", **common
    )
    assert first is not None
    for key, url, title in [("feed:a", None, "T2"), ("feed:b", "https://a.kz/1", "T3"),
                            ("feed:c", None, "T")]:  # fmt: skip
        assert (
            await store.articles.add_from_feed(key=key, url=url, title=title, body="B", **common)
            is None
        ), key
    assert await store.articles.count() == 1


async def test_pruning_keeps_what_dedupe_needs_and_forgets_the_rest(store: Store) -> None:
    """feed_seen was never pruned (issue 15): per feed, the newest SEEN_KEEP_PER_FEED keys stay
    whatever their age, and so does every key younger than SEEN_MAX_AGE."""
    for url in ("https://busy.kz/rss", "https://quiet.kz/rss"):
        assert await store.feeds.add(url, 42, NOW)
    busy, quiet = await store.feeds.active()
    old = NOW - SEEN_MAX_AGE - dt.timedelta(days=30)
    # busy: 2,300 keys from long ago, then 300 recent ones; quiet: 50 keys, all old.
    for day in range(23):
        keys = [f"old:{day}:{n}" for n in range(100)]
        await store.feeds.mark_seen(busy.id, keys, old + dt.timedelta(days=day))
    for day in range(3):
        keys = [f"new:{day}:{n}" for n in range(100)]
        await store.feeds.mark_seen(busy.id, keys, NOW - dt.timedelta(days=day))
    await store.feeds.mark_seen(quiet.id, [f"q:{n}" for n in range(50)], old)
    kept_out = KeptOutItem("g:x", "visa-elsewhere", "T", "S", None, None, "ru", old)
    await store.feeds.keep_out(quiet.id, [kept_out], NOW - KEPT_OUT_MAX_AGE - dt.timedelta(days=1))
    await store.feeds.keep_out(busy.id, [kept_out], NOW)

    assert await store.feeds.prune(NOW) == (2_600 - SEEN_KEEP_PER_FEED, 1)
    count = "SELECT count(*) FROM feed_seen WHERE feed_id = ?"
    assert await store.db.fetchval(count, (busy.id,)) == SEEN_KEEP_PER_FEED
    assert await store.db.fetchval(count, (quiet.id,)) == 50  # few keys: all kept
    # The oldest went; every recent key and the newest old ones are still known.
    assert await store.feeds.unseen(busy.id, ["old:0:0", "old:22:99", "new:2:5"]) == {"old:0:0"}
    assert [k.feed_id for k in await store.feeds.kept_out(10)] == [busy.id]
    assert await store.feeds.prune(NOW) == (0, 0)  # nothing more to do
