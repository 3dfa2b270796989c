"""The poller against a feed server on 127.0.0.1: new items stored and announced once, bad
feeds recorded on their feed without stopping the others, conditional GET, backoff, alerts."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.config import FeedOptions
from bot.feeds.announce import NewItem, render_announcement
from bot.feeds.errors import Problem
from bot.feeds.links import display_url
from bot.feeds.poller import TICK, Poller
from storage import Store, open_store
from storage.feeds import iso
from storage.models import Feed
from tests.feedgen import rss
from tests.feedserver import FeedServer

OPTIONS = FeedOptions(timeout=0.5, max_bytes=64 * 1024)
START = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
LATER = dt.timedelta(minutes=16)  # past the 15-minute interval and its spread


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta = LATER) -> None:
        self.now += delta


class Recorder:
    """Stands in for the outbox: remembers each announcement's items."""

    def __init__(self) -> None:
        self.calls: list[list[NewItem]] = []

    async def __call__(self, items: Sequence[NewItem]) -> None:
        self.calls.append(list(items))

    @property
    def items(self) -> list[NewItem]:
        return [item for call in self.calls for item in call]

    @property
    def titles(self) -> list[str]:
        return [item.title for item in self.items]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "feeds.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def poller(store: Store, recorder: Recorder, clock: Clock) -> AsyncIterator[Poller]:
    running = Poller(store, OPTIONS, recorder, clock=clock)
    yield running
    await running.aclose()


async def feed_at(store: Store, url: str) -> Feed:
    feed = next((f for f in await store.feeds.active() if f.url == url), None)
    assert feed is not None
    return feed


async def test_new_items_are_announced_once_even_when_the_feed_reorders_or_drops_them(
    server: FeedServer, poller: Poller, store: Store, recorder: Recorder, clock: Clock
) -> None:
    route = server.fixture("/ru.xml", "rss2_ru.xml")
    await poller.sync([server.url("/ru.xml")])

    (result,) = await poller.run_due()
    assert (result.new, result.skipped, result.failed) == (2, 2, False)
    assert len(recorder.calls) == 1  # one poll, one announcement
    assert sorted(recorder.titles) == [
        "Казахстан и Евросоюз начали переговоры об упрощении визового режима",
        "Реадмиссия: что изменится для граждан Казахстана",
    ]

    clock.advance()
    assert (await poller.run_due())[0].new == 0  # the same news polled again
    route.body = server.fixture("/x", "rss2_ru_reordered.xml").body  # reordered, newest gone
    clock.advance()
    assert (await poller.run_due())[0].new == 0
    route.body = server.fixture("/x", "rss2_ru.xml").body  # and the newest back again
    clock.advance()
    assert (await poller.run_due())[0].new == 0
    assert len(recorder.calls) == 1

    feed = await feed_at(store, server.url("/ru.xml"))
    assert (feed.items_stored, feed.items_skipped, feed.error_count) == (2, 2, 0)
    assert feed.title == "Новости Казахстана (тестовая лента)"
    assert feed.last_new_at == START and feed.last_checked_at == clock.now
    articles = await store.articles.latest(10)
    stored = [a for a in articles if a.origin == "feed"]
    assert len(stored) == 2
    assert {a.language for a in stored} == {"ru"}
    assert all(a.source == "Новости Казахстана (тестовая лента)" for a in stored)
    assert "alert" not in stored[0].body + stored[1].body


async def test_the_same_item_in_two_feeds_is_announced_once(
    server: FeedServer, poller: Poller, recorder: Recorder
) -> None:
    server.fixture("/a.xml", "rss2_ru.xml")
    server.fixture("/b.xml", "rss2_ru_reordered.xml")
    await poller.sync([server.url("/a.xml"), server.url("/b.xml")])
    results = await poller.run_due()
    assert sum(r.new for r in results) == 2
    assert len(recorder.titles) == len(set(recorder.titles)) == 2


async def test_conditional_get_with_etag_and_last_modified(
    server: FeedServer, poller: Poller, store: Store, recorder: Recorder, clock: Clock
) -> None:
    modified = "Tue, 02 Dec 2025 07:00:00 GMT"
    route = server.fixture("/kk.rdf", "rss1_kk.rdf", etag='"v1"', last_modified=modified)
    await poller.sync([server.url("/kk.rdf")])
    assert (await poller.run_due())[0].new == 1
    clock.advance()
    (second,) = await poller.run_due()
    assert second.not_modified and second.new == 0
    sent = server.requests_to("/kk.rdf")[-1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == modified
    assert sent["user-agent"].startswith("visatalks/")
    feed = await feed_at(store, server.url("/kk.rdf"))
    assert feed.etag == '"v1"' and feed.last_checked_at == clock.now and feed.error_count == 0

    route.body = server.fixture("/x", "atom_kk.xml").body  # the feed changes: a new ETag
    route.etag, route.content_type = '"v2"', "application/atom+xml"
    clock.advance()
    assert (await poller.run_due())[0].new == 1
    assert len(recorder.calls) == 2
    assert (await feed_at(store, server.url("/kk.rdf"))).etag == '"v2"'


BAD: dict[str, tuple[Problem, dict[str, Any]]] = {
    "/malformed.xml": (Problem.MALFORMED, {"name": "malformed.xml"}),
    "/page.html": (Problem.NOT_A_FEED, {"name": "page.html", "content_type": "text/html"}),
    "/empty.xml": (Problem.EMPTY, {"body": b""}),
    "/huge.xml": (Problem.TOO_LARGE, {"body": rss("huge", 400)}),
    "/huge-chunked.xml": (Problem.TOO_LARGE, {"body": rss("huge", 400), "chunked": True}),
    "/slow.xml": (Problem.TIMEOUT, {"name": "rss2_ru.xml", "delay": 3.0}),
    "/trickle.xml": (Problem.TIMEOUT, {"name": "rss2_ru.xml", "trickle": 0.05}),
    "/loop-a": (Problem.REDIRECTS, {"location": "/loop-b"}),
    "/loop-b": (Problem.REDIRECTS, {"location": "/loop-a"}),
    "/missing.xml": (Problem.HTTP, {"status": 404}),
    "/broken.xml": (Problem.HTTP, {"status": 500, "body": b"oops"}),
}
GOOD = {
    "/rss1_kk.rdf": ("rss1_kk.rdf", "application/rdf+xml", 1),
    "/atom_kk.xml": ("atom_kk.xml", "application/atom+xml", 1),
    "/atom_ru.xml": ("atom_ru.xml", "application/atom+xml", 1),
    "/cp1251.xml": ("rss2_ru_cp1251.xml", "application/rss+xml; charset=windows-1251", 1),
    "/partial.xml": ("missing_fields.xml", "application/rss+xml", 5),
}


async def test_bad_feeds_are_recorded_on_their_feed_and_do_not_stop_the_others(
    server: FeedServer, poller: Poller, store: Store, recorder: Recorder, clock: Clock
) -> None:
    for path, (_, options) in BAD.items():
        options = dict(options)
        name = options.pop("name", None)
        if name:
            server.fixture(path, str(name), **options)
        else:
            server.route(path, **options)
    for path, (name, content_type, _) in GOOD.items():
        server.fixture(path, name, content_type=content_type)
    server.fixture("/lenient.xml", "lenient.xml")
    urls = [server.url(p) for p in [*BAD, *GOOD, "/lenient.xml"] if p != "/loop-b"]
    await poller.sync(urls)

    started = time.monotonic()
    results = {r.url: r for r in await poller.run_due()}
    assert time.monotonic() - started < 5  # the slow ones were cut at the deadline, together

    for path, (problem, _) in BAD.items():
        if path == "/loop-b":
            continue
        assert results[server.url(path)].problem is problem, path
        feed = await feed_at(store, server.url(path))
        assert (feed.last_problem, feed.error_count) == (problem, 1), path
        assert feed.next_check_at == clock.now + poller.backoff(1)
    assert (await feed_at(store, server.url("/missing.xml"))).last_detail == "404 Not Found"

    for path, (_, _, new) in GOOD.items():
        assert results[server.url(path)].new == new, path
        assert (await feed_at(store, server.url(path))).error_count == 0
    lenient = await feed_at(store, server.url("/lenient.xml"))
    assert lenient.error_count == 0 and lenient.last_problem == Problem.MALFORMED_RECOVERED
    assert results[server.url("/lenient.xml")].new == 1
    # One announcement for the whole round: every feed's news in it.
    assert len(recorder.calls) == 1
    assert len(recorder.items) == sum(new for _, _, new in GOOD.values()) + 1

    future = next(i for i in recorder.items if "будущего" in i.title)
    assert future.published <= clock.now

    # Everything is checked again later: the poller is alive and the failures are retried.
    clock.advance(dt.timedelta(hours=1))
    again = await poller.run_due()
    assert len(again) == len(urls)
    assert (await feed_at(store, server.url("/broken.xml"))).error_count == 2


async def test_backoff_doubles_up_to_a_day_survives_a_restart_and_alerts_once(
    server: FeedServer, store: Store, recorder: Recorder, clock: Clock
) -> None:
    route = server.route("/down.xml", status=500)
    alerts: list[Feed] = []

    async def alert(feed: Feed) -> None:
        alerts.append(feed)

    url = server.url("/down.xml")
    poller = Poller(store, OPTIONS, recorder, alert, clock=clock)
    await poller.sync([url])
    await poller.run_due()
    await poller.aclose()
    waits = [(await feed_at(store, url)).next_check_at - clock.now]
    for _ in range(9):
        # A new Poller each time: the schedule comes from SQLite, as after a restart.
        poller = Poller(store, OPTIONS, recorder, alert, clock=clock)
        feed = await feed_at(store, url)
        clock.now = feed.next_check_at - dt.timedelta(seconds=1)
        assert await poller.run_due() == []  # not a moment early
        clock.now = feed.next_check_at
        (result,) = await poller.run_due()
        await poller.aclose()
        assert result.problem is Problem.HTTP
        waits.append((await feed_at(store, url)).next_check_at - clock.now)
    minutes = [int(w.total_seconds() // 60) for w in waits]
    assert minutes[:7] == [15, 30, 60, 120, 240, 480, 960]
    assert minutes[7:] == [1440, 1440, 1440]  # capped at 24 h
    assert len(alerts) == 1 and alerts[0].error_count >= 8
    assert alerts[0].failing_since is not None
    assert clock.now - alerts[0].failing_since >= dt.timedelta(hours=24)

    route.status, route.body = 200, server.fixture("/x", "atom_ru.xml").body
    route.content_type = "application/atom+xml"
    clock.advance(dt.timedelta(days=1))
    poller = Poller(store, OPTIONS, recorder, alert, clock=clock)
    assert (await poller.run_due())[0].new == 1
    await poller.aclose()
    healed = await feed_at(store, url)
    assert (healed.error_count, healed.failing_since, healed.alerted_at) == (0, None, None)
    assert healed.next_check_at - clock.now < dt.timedelta(minutes=16)


async def test_retry_after_stretches_the_wait(
    server: FeedServer, poller: Poller, store: Store, clock: Clock
) -> None:
    server.route("/busy.xml", status=429, headers={"Retry-After": "7200"})
    await poller.sync([server.url("/busy.xml")])
    await poller.run_due()
    feed = await feed_at(store, server.url("/busy.xml"))
    assert feed.next_check_at - clock.now == dt.timedelta(hours=2)


async def test_a_failed_announcement_loses_nothing_and_announces_once(
    server: FeedServer, store: Store, recorder: Recorder, clock: Clock
) -> None:
    """The outbox write joins the round's transaction: all of it commits, or none of it, and
    the items wait for the next round."""
    failures = [RuntimeError("outbox down")]

    async def announce(items: Sequence[NewItem]) -> None:
        async with store.db.transaction() as tx:  # as publish() would
            await tx.execute("CREATE TABLE IF NOT EXISTS outbox_probe (n INTEGER)")
            await tx.execute("INSERT INTO outbox_probe VALUES (?)", (len(items),))
        if failures:
            raise failures.pop()
        await recorder(items)

    server.fixture("/ru.xml", "rss2_ru.xml")
    poller = Poller(store, OPTIONS, announce, clock=clock)
    await poller.sync([server.url("/ru.xml")])
    (checked,) = await poller.run_due()
    assert checked.new == 2 and not checked.failed  # the check itself went well
    assert await store.db.fetchval("SELECT count(*) FROM feed_pending") == 2
    assert await store.db.fetchval("SELECT count(*) FROM sqlite_master WHERE name = ?",
                                   ("outbox_probe",)) == 0  # fmt: skip
    assert recorder.calls == []

    clock.advance()
    (again,) = await poller.run_due()
    assert again.new == 0 and len(recorder.calls) == 1 and len(recorder.items) == 2
    assert await store.db.fetchval("SELECT sum(n) FROM outbox_probe") == 2
    assert await store.db.fetchval("SELECT count(*) FROM feed_pending") == 0
    clock.advance()
    await poller.run_due()
    assert len(recorder.calls) == 1
    await poller.aclose()


async def test_ten_thousand_entries_neither_stall_the_loop_nor_stop_other_feeds(
    server: FeedServer, store: Store, recorder: Recorder, clock: Clock
) -> None:
    big = rss("big", 10_000, relevant_every=100)
    server.route("/big.xml", body=big)
    server.fixture("/small.xml", "rss1_kk.rdf", content_type="application/rdf+xml")
    options = FeedOptions(timeout=30, max_bytes=len(big) + 1)
    poller = Poller(store, options, recorder, clock=clock)
    await poller.sync([server.url("/big.xml"), server.url("/small.xml")])

    stalls = []

    async def probe() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stalls.append(time.perf_counter() - before - 0.01)

    watcher = asyncio.create_task(probe())
    results = {r.url: r for r in await poller.run_due()}
    watcher.cancel()
    await poller.aclose()

    big_result = results[server.url("/big.xml")]
    assert (big_result.entries, big_result.new, big_result.skipped) == (10_000, 100, 9_900)
    assert results[server.url("/small.xml")].new == 1  # the other feed went on as usual
    assert max(stalls) < 0.5, max(stalls)  # generous: the machine is shared
    (call,) = recorder.calls  # both feeds' news in the round's one announcement
    assert len(call) == 101
    texts = render_announcement(call)
    assert all(len(text) < 4096 for text in texts.values())
    assert "…" in texts["ru"] and "/news" in texts["ru"]


async def test_feeds_due_moments_apart_make_one_round_and_one_announcement(
    server: FeedServer, poller: Poller, store: Store, recorder: Recorder, clock: Clock
) -> None:
    """Feeds come due spread over a few ticks; their news waits for the last of them."""
    server.fixture("/ru.xml", "rss2_ru.xml")
    server.fixture("/kk.rdf", "rss1_kk.rdf", content_type="application/rdf+xml")
    await poller.sync([server.url("/ru.xml"), server.url("/kk.rdf")])
    later = await feed_at(store, server.url("/kk.rdf"))
    await store.db.execute(
        "UPDATE feeds SET next_check_at = ? WHERE id = ?",
        (iso(clock.now + dt.timedelta(seconds=20)), later.id),
    )
    (first,) = await poller.run_due()
    assert first.new == 2 and recorder.calls == []  # the round is not over yet
    clock.advance(dt.timedelta(seconds=30))
    (second,) = await poller.run_due()
    assert second.new == 1
    assert len(recorder.calls) == 1 and len(recorder.items) == 3

    # A round's items never wait longer than max_hold, even if feeds keep coming due.
    clock.advance()
    await store.db.execute("INSERT INTO feed_pending SELECT id, 1, ? FROM articles LIMIT 1",
                           (iso(clock.now - poller.max_hold),))  # fmt: skip
    await store.db.execute("UPDATE feeds SET next_check_at = ?", (iso(clock.now + TICK),))
    assert await poller.announce_round() == 1


async def test_near_misses_are_kept_for_admins_who_can_let_one_in_once(
    server: FeedServer, poller: Poller, store: Store, recorder: Recorder, clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    server.fixture("/near.xml", "rss2_near_miss.xml")
    url = server.url("/near.xml")
    await poller.sync([url])
    with caplog.at_level(logging.INFO, logger="bot.feeds.poller"):
        (result,) = await poller.run_due()
    assert (result.new, result.skipped, result.kept_out) == (1, 2, 1)
    feed = await feed_at(store, url)
    # Logs name the feed by the id /feeds shows and its URL, and say which rule decided.
    assert f"feed #{feed.id} {url}: kept out (rule visa-elsewhere): ЕС и Узбекистан" in (
        caplog.text
    )
    assert f"feed #{feed.id} {url}: relevant (rule visa-talks-in-title)" in caplog.text

    (kept,) = await store.feeds.kept_out(10)  # the park news is off topic: not listed
    assert kept.item.rule == "visa-elsewhere" and "Узбекистан" in kept.item.title
    assert await poller.let_in(kept.id, admin_id=42) is not None
    assert [i.title for i in recorder.calls[-1]] == [kept.item.title]
    assert await store.feeds.kept_out(10) == []
    assert await poller.let_in(kept.id, admin_id=42) is None  # a double tap: once only
    assert await poller.let_in(999, admin_id=42) is None
    assert len(recorder.calls) == 2
    titles = [a.title for a in await store.articles.latest(5)]
    assert kept.item.title in titles


def test_logs_hide_secrets_in_feed_urls() -> None:
    assert display_url("https://user:pw@a.kz/rss?token=abc&lang=ru") == (
        "https://a.kz/rss?token=***&lang=ru"
    )
    assert display_url("https://a.kz/rss?lang=kk") == "https://a.kz/rss?lang=kk"
