"""Prometheus metrics for operators: `/metrics` on the webhook server, or on METRICS_PORT.

Kept cheap where the bot is busy: the delivery worker already counts its outcomes in
`DeliveryWorker.stats`, so a collector reads that Counter at scrape time and a broadcast at
1000 sends a second pays nothing for its metrics. Backlogs (deliveries pending, corrections
waiting) are counted at scrape time on a read-only connection of their own, never on the
bot's. What is counted where it happens (updates, replies, 429s, feed checks, answers) costs
a microsecond or two per event.

    visatalks_update_seconds          histogram: updates handled, pickup to done
    visatalks_replies_sent_total      messages sent in answer to users
    visatalks_deliveries_total        {outcome=sent|failed|skipped} (skipped: blocked or gone)
    visatalks_deliveries_pending      deliveries waiting (queued, paused or due later)
    visatalks_flood_limits_total      429 answers from Telegram, any request
    visatalks_flood_wait_seconds_total  the seconds those 429s asked to wait, summed
    visatalks_feed_checks_total       {outcome=new_items|no_new_items|not_modified|failed}
    visatalks_corrections_queued      delivered messages waiting to be corrected
    visatalks_answers_total           {outcome=answered|no_answer} for questions
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Iterable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import tornado.httpserver
import tornado.netutil
import tornado.web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.errors import StorageError
from bot.ops.health import check
from bot.telegram.updates import PerChatOrder
from storage.backlog import Backlog, backlog

if TYPE_CHECKING:
    from bot.answers.engine import AnswerKind

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()

UPDATE_SECONDS = Histogram(
    "visatalks_update_seconds",
    "Updates handled, and the seconds from pickup (waiting for the chat's turn included) to done",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
REPLIES = Counter(
    "visatalks_replies_sent", "Messages sent in answer to users (each part)", registry=REGISTRY
)
FLOOD_LIMITS = Counter(
    "visatalks_flood_limits", "429 Too Many Requests answers from Telegram", registry=REGISTRY
)
FLOOD_WAIT = Counter(
    "visatalks_flood_wait_seconds", "Seconds the 429 answers asked to wait", registry=REGISTRY
)
FEED_CHECKS = Counter(
    "visatalks_feed_checks", "Feed checks by outcome", ["outcome"], registry=REGISTRY
)
ANSWERS = Counter(
    "visatalks_answers", "Questions by outcome: answered, no_answer or outside (not followed)",
    ["outcome"],
    registry=REGISTRY,
)  # fmt: skip
PENDING = Gauge(
    "visatalks_deliveries_pending", "Deliveries still to go (pending or paused)", registry=REGISTRY
)
CORRECTIONS_QUEUED = Gauge(
    "visatalks_corrections_queued",
    "Delivered messages queued for correction and not fixed yet",
    registry=REGISTRY,
)
for _outcome in ("new_items", "no_new_items", "not_modified", "failed"):
    FEED_CHECKS.labels(_outcome)  # every series present from the start, at 0
for _outcome in ("answered", "no_answer", "outside"):
    ANSWERS.labels(_outcome)
_ANSWER_OUTCOMES = {"nothing": ANSWERS.labels("no_answer"), "outside": ANSWERS.labels("outside")}
_ANSWERED = ANSWERS.labels("answered")


class _Deliveries(Collector):
    """visatalks_deliveries_total from the delivery worker's own counts, read at scrape."""

    def __init__(self) -> None:
        self.stats: Mapping[str, int] = {}

    def collect(self) -> Iterable[Metric]:
        stats = self.stats
        family = CounterMetricFamily(
            "visatalks_deliveries",
            "Deliveries by outcome (skipped: blocked or gone)",
            labels=["outcome"],
        )
        family.add_metric(["sent"], stats.get("sent", 0) + stats.get("digests", 0))
        family.add_metric(["failed"], stats.get("failed", 0) + stats.get("errors", 0))
        family.add_metric(["skipped"], stats.get("blocked", 0) + stats.get("gone", 0))
        yield family


_DELIVERIES = _Deliveries()
REGISTRY.register(_DELIVERIES)


def watch_deliveries(stats: Mapping[str, int]) -> None:
    """Report this delivery worker's counts (it keeps them; we only read them)."""
    _DELIVERIES.stats = stats


class MeasuredOrder(PerChatOrder):
    """PerChatOrder that times each update, from pickup to done."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await super().do_process_update(update, coroutine)
        finally:
            UPDATE_SECONDS.observe(time.perf_counter() - started)


def replied() -> None:
    REPLIES.inc()


def flood_limited(body: bytes) -> None:
    """A 429 answer: counted, with the wait it asked for (rare: parsing it costs nothing)."""
    FLOOD_LIMITS.inc()
    try:
        wait = json.loads(body)["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return
    if isinstance(wait, int | float) and wait > 0:
        FLOOD_WAIT.inc(wait)


class FeedCheck(Protocol):
    """The outcome of one feed check, as counted (bot.feeds.poller.CheckResult is one)."""

    @property
    def failed(self) -> bool: ...
    @property
    def not_modified(self) -> bool: ...
    @property
    def new(self) -> int: ...


Checked = TypeVar("Checked", bound=FeedCheck)


def feed_checked(result: Checked) -> Checked:
    if result.failed:
        outcome = "failed"
    elif result.not_modified:
        outcome = "not_modified"
    else:
        outcome = "new_items" if result.new else "no_new_items"
    FEED_CHECKS.labels(outcome).inc()
    return result


def answered(kind: AnswerKind) -> None:
    _ANSWER_OUTCOMES.get(kind, _ANSWERED).inc()


async def exposition(database_path: Path) -> bytes:
    """The text Prometheus scrapes, with the backlogs counted now."""
    try:
        found: Backlog = await backlog(database_path)
    except StorageError as exc:
        log.warning("metrics: cannot count the backlog: %s", exc)
    else:
        PENDING.set(found.deliveries)
        CORRECTIONS_QUEUED.set(found.corrections)
    return await asyncio.to_thread(generate_latest, REGISTRY)


class MetricsHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)

    def initialize(self, database_path: Path) -> None:
        self.database_path = database_path

    async def get(self) -> None:
        body = await exposition(self.database_path)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.set_header("Cache-Control", "no-store")
        self.finish(body)


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: the `visatalks health` line; 200 when ok, else 503 (both servers)."""

    SUPPORTED_METHODS = ("GET",)

    def initialize(self, database_path: Path) -> None:
        self.database_path = database_path

    async def get(self) -> None:
        health = await check(self.database_path)
        self.set_status(HTTPStatus.OK if health.ok else HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(health.line + "\n")


class MetricsServer:
    """Polling mode's own listener: GET /metrics and GET /healthz on METRICS_HOST:PORT."""

    def __init__(self, database_path: Path, host: str, port: int) -> None:
        self.host = host
        self.port = port
        app = tornado.web.Application(
            [
                (r"/metrics", MetricsHandler, {"database_path": database_path}),
                (r"/healthz", HealthHandler, {"database_path": database_path}),
            ],
            log_function=lambda handler: None,
        )
        self._server = tornado.httpserver.HTTPServer(app)

    async def start(self) -> None:
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server.add_sockets(sockets)
        log.info("metrics: http://%s:%s/metrics", self.host, self.port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
