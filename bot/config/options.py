"""The options of each concern, with the defaults the bot runs on (Telegram's limits and
sensible intervals); `environment` fills them from variables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class WebhookConfig:
    """Webhook mode: Telegram POSTs updates to `url`; we listen on plain HTTP behind a proxy."""

    url: str | None = None
    secret: str | None = field(default=None, repr=False)
    listen: str = "127.0.0.1"
    port: int = 8080

    @property
    def path(self) -> str:
        """The URL's path, which the proxy forwards unchanged to our listener."""
        return (urlsplit(self.url).path if self.url else "") or "/"


@dataclass(frozen=True)
class FloodLimits:
    """Per-user token bucket: `burst` updates at once, refilled at `per_minute`."""

    burst: int = 20  # a person clicking through every command stays well inside it
    per_minute: float = 30.0

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


@dataclass(frozen=True)
class FeedOptions:
    """How feeds are fetched and how often; FEED_* variables override the defaults."""

    interval: dt.timedelta = dt.timedelta(minutes=15)
    min_interval: dt.timedelta = dt.timedelta(minutes=5)  # never poll a feed more often
    max_backoff: dt.timedelta = dt.timedelta(hours=24)
    alert_after: dt.timedelta = dt.timedelta(hours=24)  # admins hear of a feed failing this long
    timeout: float = 20.0  # seconds for one whole request, redirects and body included
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5


# Sends in flight needed for 1000/s at Telegram's round trip of about 100 ms.
PAID_CONCURRENCY = 128


@dataclass(frozen=True)
class DeliveryLimits:
    """How fast and how stubbornly the delivery worker sends (Telegram's limits by default).

    `concurrency` is also the most messages that can go out twice after a crash: a send is
    recorded as done before its slot is freed, so only sends holding a slot can be lost from
    the record.
    """

    global_per_second: float = 30.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    paid_broadcast: bool = False  # allow_paid_broadcast: Telegram lets 1000/s through, for Stars
    paid_per_second: float = 1000.0
    concurrency: int = 16  # the default; 128 with paid broadcast (PAID_CONCURRENCY)
    max_attempts: int = 10  # tries of a delivery on 5xx / timeouts before it is failed
    retry_base_seconds: float = 2.0  # first backoff; doubles per attempt
    retry_max_seconds: float = 600.0

    @property
    def overall_per_second(self) -> float:
        return self.paid_per_second if self.paid_broadcast else self.global_per_second


@dataclass(frozen=True)
class AdminOptions:
    """The admins' tools: how long a draft waits for an answer, how fast corrections go out."""

    draft_timeout: float = 1800.0  # seconds without an answer before a /post draft is put aside
    corrections_per_second: float = 10.0  # edits of delivered messages; the worker sends too
    questions_retention_days: float = 90.0  # question texts and askers' chat ids are kept so long


@dataclass(frozen=True)
class MetricsOptions:
    """Polling mode's /metrics listener; off unless METRICS_PORT is set (webhook mode serves
    /metrics on its own server)."""

    port: int | None = None
    host: str = "127.0.0.1"  # Prometheus on the same machine; METRICS_HOST opens it wider
