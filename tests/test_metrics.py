"""/metrics: the counters after a known run through the fake Bot API, fetched over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import load_settings
from bot.delivery.publishing import publish
from bot.errors import ConfigError
from bot.feeds.errors import Problem
from bot.feeds.poller import CheckResult
from bot.ops import metrics
from tests.delivery_helpers import (
    add_subscribers,
    fast_settings,
    run_bot,
    store_of,
    wait_until,
    worker_of,
)
from tests.fakebotapi import FakeBotApi
from tests.test_delivery_e2e import NEWS
from tests.test_webhook import SECRET, free_port

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def scrape(base: str) -> Samples:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


async def scrape_when_handled(base: str, before: Samples, updates: int) -> Samples:
    """The metrics once `updates` more updates are timed: an update's time is recorded when
    its handler returns, just after the reply the test waited for went out."""
    name = "visatalks_update_seconds_count"
    for _ in range(100):
        samples = await scrape(base)
        if value(samples, name) - value(before, name) >= updates:
            break
        await asyncio.sleep(0.05)
    return samples


async def test_a_broadcast_and_two_questions_show_in_metrics(
    api: FakeBotApi, database_path: Path
) -> None:
    port = free_port()
    settings = fast_settings(api, database_path, METRICS_PORT=str(port))
    base = f"http://127.0.0.1:{port}"
    readers = list(range(9101, 9111))  # ten subscribers, three of whom blocked the bot
    blocked = readers[:3]
    async with run_bot(settings) as app:
        before = await scrape(base)
        store = store_of(app)
        await add_subscribers(store, readers)
        for chat in blocked:
            api.block(chat)
        api.fail_next("sendMessage", chat_id=readers[5], error_code=429, retry_after=1)
        await publish(store, NEWS)
        during = await scrape(base)  # the backlog is counted while it is there
        assert value(during, "visatalks_deliveries_pending") > 0
        await wait_until(lambda: worker_of(app).idle, timeout=30, what="the broadcast")
        answered = await api.reply_to(7, "когда начались переговоры")
        assert "2025" in answered.plain
        await api.reply_to(8, "сколько человек в делегации на переговорах")  # no source says
        await api.reply_to(9, "qwzx vbnm plokij")  # not about the talks at all
        after = await scrape_when_handled(base, before, 3)
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{base}/healthz")
        # The health line, as on the webhook server (the beat may not be written yet).
        assert health.text.startswith(("ok: ", "stale poll")), health.text

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert value(after, "visatalks_deliveries_total", outcome="sent") == 7
    assert value(after, "visatalks_deliveries_total", outcome="skipped") == 3
    assert value(after, "visatalks_deliveries_total", outcome="failed") == 0
    assert value(after, "visatalks_deliveries_pending") == 0
    assert delta("visatalks_flood_limits_total") == 1
    assert delta("visatalks_flood_wait_seconds_total") == 1
    assert delta("visatalks_replies_sent_total") == 3
    assert delta("visatalks_answers_total", outcome="answered") == 1
    assert delta("visatalks_answers_total", outcome="no_answer") == 1
    assert delta("visatalks_answers_total", outcome="outside") == 1
    assert delta("visatalks_update_seconds_count") == 3
    assert value(after, "visatalks_corrections_queued") == 0


async def test_metrics_are_off_in_polling_mode_unless_asked(
    api: FakeBotApi, database_path: Path
) -> None:
    port = free_port()
    async with run_bot(fast_settings(api, database_path)), httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/metrics")


async def test_the_webhook_server_serves_metrics_and_healthz(
    api: FakeBotApi, database_path: Path
) -> None:
    from bot.app import build_application
    from bot.telegram.runner import running

    port = free_port()
    settings = fast_settings(
        api,
        database_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook",
        WEBHOOK_SECRET=SECRET,
        PORT=str(port),
    )
    async with running(build_application(settings), webhook=settings.webhook):
        samples = await scrape(f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
    assert value(samples, "visatalks_deliveries_pending") == 0
    assert ("visatalks_update_seconds_count", ()) in samples
    assert health.text.startswith(("ok: schema ", "stale poll")), health.text  # still served


def test_feed_checks_are_counted_by_outcome() -> None:
    def count(outcome: str) -> float:
        found = metrics.REGISTRY.get_sample_value(
            "visatalks_feed_checks_total", {"outcome": outcome}
        )
        return found or 0.0

    outcomes = ("new_items", "no_new_items", "not_modified", "failed")
    before = {outcome: count(outcome) for outcome in outcomes}
    for result in (
        CheckResult(1, "https://a.example/rss", new=2, entries=5),
        CheckResult(1, "https://a.example/rss", entries=5),
        CheckResult(1, "https://a.example/rss", not_modified=True),
        CheckResult(1, "https://a.example/rss", problem=Problem.INTERNAL, failed=True),
        CheckResult(1, "https://a.example/rss", problem=Problem.INTERNAL, failed=True),
    ):
        assert metrics.feed_checked(result) is result
    assert {o: count(o) - before[o] for o in outcomes} == {
        "new_items": 1,
        "no_new_items": 1,
        "not_modified": 1,
        "failed": 2,
    }


def test_metrics_settings() -> None:
    assert load_settings({}).metrics.port is None  # off by default
    assert load_settings({}).metrics.host == "127.0.0.1"
    options = load_settings({"METRICS_PORT": "9464", "METRICS_HOST": "0.0.0.0"}).metrics
    assert (options.port, options.host) == (9464, "0.0.0.0")
    for bad in ({"METRICS_PORT": "x"}, {"METRICS_PORT": "70000"}, {"METRICS_HOST": "a b"}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            load_settings(bad)


def test_the_grafana_dashboard_reads_only_metrics_the_bot_exports() -> None:
    dashboard = Path(__file__).parents[1] / "deploy" / "grafana-dashboard.json"
    panels = json.loads(dashboard.read_text(encoding="utf-8"))["panels"]
    used = {
        name
        for panel in panels
        for target in panel["targets"]
        for name in re.findall(r"visatalks_[a-z_]+", target["expr"])
    }
    exported = {
        sample.name for family in metrics.REGISTRY.collect() for sample in family.samples
    } | {f"{name}_bucket" for name in ("visatalks_update_seconds",)}
    assert used and used <= exported, used - exported
