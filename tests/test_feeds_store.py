"""Feed settings and the feeds repository: FEEDS and FEED_* parsing, the list admins manage."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from storage import Store, open_store
from storage.feeds import Removal

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
    common = {"source": "S", "guid": None, "language": "ru", "published_at": "2025-12-02"}
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
