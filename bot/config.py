"""Settings, loaded once from the environment (and an optional .env file) in `main()`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
# What Telegram accepts as setWebhook's secret_token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253})$")


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


_FEED_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


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


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment; tests build it from a dict."""

    bot_token: str | None = None
    admin_ids: frozenset[int] = frozenset()
    database_path: Path = Path("data/visatalks.sqlite3")
    api_base_url: str = DEFAULT_API_BASE_URL
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Almaty"))
    log_level: str = "INFO"
    webhook: WebhookConfig = WebhookConfig()
    flood: FloodLimits = FloodLimits()
    feeds: tuple[str, ...] = ()
    feed_options: FeedOptions = field(default_factory=FeedOptions)
    delivery: DeliveryLimits = field(default_factory=DeliveryLimits)
    admin: AdminOptions = field(default_factory=AdminOptions)
    metrics: MetricsOptions = field(default_factory=MetricsOptions)

    def __repr__(self) -> str:
        # Never let the token reach a log line or a traceback through repr().
        token = "set" if self.bot_token else "unset"
        return (
            f"Settings(bot_token=<{token}>, admin_ids={sorted(self.admin_ids)}, "
            f"database_path={self.database_path}, api_base_url={self.api_base_url}, "
            f"timezone={self.timezone.key}, log_level={self.log_level}, "
            f"feeds=<{len(self.feeds)}>, webhook={self.webhook}, flood={self.flood})"
        )


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a .env file: KEY=VALUE lines, # comments, optional quotes around the value."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(str(path), f"line {number} is not KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def environment_with_dotenv(dotenv: Path = Path(".env")) -> dict[str, str]:
    """The process environment over the .env file: a real variable wins."""
    return {**read_dotenv(dotenv), **os.environ}


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build Settings from a mapping; raise ConfigError naming the first bad variable."""

    def get(name: str) -> str:
        return environ.get(name, "").strip()

    token = get("BOT_TOKEN") or None
    if token is not None and not _TOKEN_RE.match(token):
        raise ConfigError(
            "BOT_TOKEN", "does not look like a bot token (digits:secret from @BotFather)"
        )

    admin_ids: set[int] = set()
    for part in filter(None, (p.strip() for p in re.split(r"[,\s]+", get("ADMIN_IDS")))):
        if not re.fullmatch(r"-?\d{1,20}", part):
            raise ConfigError("ADMIN_IDS", f"{part!r} is not a numeric Telegram user id")
        admin_ids.add(int(part))

    database_path = Path(get("DATABASE_PATH") or Settings.database_path)
    if database_path.is_dir():
        raise ConfigError("DATABASE_PATH", f"{database_path} is a directory, expected a file path")

    api_base_url = get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://[^\s/]+", api_base_url):
        raise ConfigError("TELEGRAM_API_BASE_URL", "must be an http:// or https:// URL")

    tz_name = get("TIMEZONE") or "Asia/Almaty"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("TIMEZONE", f"{tz_name!r} is not an IANA time zone") from None

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}")

    feeds: list[str] = []
    for url in filter(None, re.split(r"[,\s]+", get("FEEDS"))):
        if not _FEED_URL_RE.match(url):
            raise ConfigError("FEEDS", f"{url!r} is not an http:// or https:// URL")
        if url not in feeds:
            feeds.append(url)

    return Settings(
        bot_token=token,
        admin_ids=frozenset(admin_ids),
        database_path=database_path,
        api_base_url=api_base_url,
        timezone=timezone,
        log_level=log_level,
        webhook=_webhook(get, local_api=api_base_url != DEFAULT_API_BASE_URL),
        flood=_flood(get),
        feeds=tuple(feeds),
        feed_options=_feed_options(get),
        delivery=_delivery_limits(get),
        admin=_admin_options(get),
        metrics=_metrics(get),
    )


def _numbers(get: Callable[[str], str]) -> Callable[[str, float, float, float], float]:
    """`number(name, default, low, high)`: a variable as a number in range, else ConfigError."""

    def number(name: str, default: float, low: float, high: float) -> float:
        raw = get(name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(name, f"{raw!r} is not a number") from None
        if not low <= value <= high:
            raise ConfigError(name, f"must be between {low:g} and {high:g}")
        return value

    return number


def _delivery_limits(get: Callable[[str], str]) -> DeliveryLimits:
    defaults = DeliveryLimits()
    number = _numbers(get)
    paid = get("ALLOW_PAID_BROADCAST").lower()
    if paid not in ("", "0", "1", "true", "false", "yes", "no"):
        raise ConfigError("ALLOW_PAID_BROADCAST", "must be true or false")
    paid_broadcast = paid in ("1", "true", "yes")
    concurrency = PAID_CONCURRENCY if paid_broadcast else defaults.concurrency
    return DeliveryLimits(
        global_per_second=number(
            "DELIVERY_GLOBAL_PER_SECOND", defaults.global_per_second, 0.1, 1000
        ),
        private_per_second=number(
            "DELIVERY_PRIVATE_PER_SECOND", defaults.private_per_second, 0.01, 100
        ),
        group_per_minute=number("DELIVERY_GROUP_PER_MINUTE", defaults.group_per_minute, 0.1, 6000),
        paid_broadcast=paid_broadcast,
        paid_per_second=number("PAID_BROADCAST_PER_SECOND", defaults.paid_per_second, 1, 1000),
        concurrency=int(number("DELIVERY_CONCURRENCY", concurrency, 1, 256)),
        max_attempts=int(number("DELIVERY_MAX_ATTEMPTS", defaults.max_attempts, 1, 100)),
        retry_base_seconds=number(
            "DELIVERY_RETRY_BASE_SECONDS", defaults.retry_base_seconds, 0.001, 3600
        ),
        retry_max_seconds=number(
            "DELIVERY_RETRY_MAX_SECONDS", defaults.retry_max_seconds, 0.001, 86400
        ),
    )


def _feed_options(get: Callable[[str], str]) -> FeedOptions:
    defaults = FeedOptions()
    number = _numbers(get)
    minimum = defaults.min_interval.total_seconds() / 60
    interval = number(
        "FEED_INTERVAL_MINUTES", defaults.interval.total_seconds() / 60, minimum, 1440
    )
    return FeedOptions(
        interval=dt.timedelta(minutes=interval),
        timeout=number("FEED_TIMEOUT_SECONDS", defaults.timeout, 0.1, 300),
        max_bytes=int(number("FEED_MAX_BYTES", defaults.max_bytes, 1024, 100 * 1024 * 1024)),
        max_redirects=int(number("FEED_MAX_REDIRECTS", defaults.max_redirects, 0, 20)),
    )


def _webhook(get: Callable[[str], str], *, local_api: bool) -> WebhookConfig:
    secret = get("WEBHOOK_SECRET") or None
    if secret is not None and not _SECRET_RE.match(secret):
        raise ConfigError("WEBHOOK_SECRET", "must be 1-256 characters of A-Z a-z 0-9 _ -")
    url = get("WEBHOOK_URL") or None
    if url is not None:
        parts = urlsplit(url)
        # Telegram itself only calls https:// webhooks; a local Bot API server may use http.
        schemes = ("https", "http") if local_api else ("https",)
        if parts.scheme not in schemes or not parts.hostname or " " in url:
            raise ConfigError("WEBHOOK_URL", "must be an https:// URL (Telegram calls only https)")
        if secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET", "required with WEBHOOK_URL (1-256 characters of A-Z a-z 0-9 _ -)"
            )
    listen = get("WEBHOOK_LISTEN") or WebhookConfig.listen
    try:
        ipaddress.ip_address(listen)
    except ValueError:
        if not _HOSTNAME_RE.match(listen):
            raise ConfigError(
                "WEBHOOK_LISTEN", f"{listen!r} is not an address to listen on"
            ) from None
    port_text = get("PORT") or str(WebhookConfig.port)
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError("PORT", "must be a TCP port number, 1-65535")
    return WebhookConfig(url=url, secret=secret, listen=listen, port=int(port_text))


def _flood(get: Callable[[str], str]) -> FloodLimits:
    burst_text = get("FLOOD_BURST") or str(FloodLimits.burst)
    if not burst_text.isdigit() or not 1 <= int(burst_text) <= 1000:
        raise ConfigError("FLOOD_BURST", "must be a whole number of updates, 1-1000")
    rate_text = get("FLOOD_PER_MINUTE") or str(FloodLimits.per_minute)
    try:
        rate = float(rate_text)
    except ValueError:
        rate = -1.0
    if not 0 < rate <= 6000:
        raise ConfigError(
            "FLOOD_PER_MINUTE", "must be a number of updates per minute, above 0 and at most 6000"
        )
    return FloodLimits(burst=int(burst_text), per_minute=rate)


def _metrics(get: Callable[[str], str]) -> MetricsOptions:
    port_text = get("METRICS_PORT")
    if port_text and (not port_text.isdigit() or not 1 <= int(port_text) <= 65535):
        raise ConfigError("METRICS_PORT", "must be a TCP port number, 1-65535 (empty: off)")
    host = get("METRICS_HOST") or MetricsOptions.host
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME_RE.match(host):
            raise ConfigError("METRICS_HOST", f"{host!r} is not an address to listen on") from None
    return MetricsOptions(port=int(port_text) if port_text else None, host=host)


def _admin_options(get: Callable[[str], str]) -> AdminOptions:
    defaults = AdminOptions()
    number = _numbers(get)
    return AdminOptions(
        draft_timeout=number("ADMIN_DRAFT_TIMEOUT", defaults.draft_timeout, 0.5, 86400),
        corrections_per_second=number(
            "ADMIN_CORRECTIONS_PER_SECOND", defaults.corrections_per_second, 0.1, 30
        ),
        questions_retention_days=number(
            "QUESTIONS_RETENTION_DAYS", defaults.questions_retention_days, 1, 3650
        ),
    )


def check_database_path(path: Path) -> None:
    """Raise ConfigError unless the bot can create, read and write its database at `path`.

    Run before any network call, so a bad path is one line, not a traceback after Telegram
    was contacted. SQLite's -wal and -shm files and the instance lock are created beside the
    database, so its directory must take new files too.
    """
    if path.is_dir():
        raise ConfigError("DATABASE_PATH", f"{path} is a directory, expected a file path")
    parent = path.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise ConfigError("DATABASE_PATH", f"{ancestor} is not a directory")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            os.close(os.open(path, os.O_RDWR))
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".visatalks-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError("DATABASE_PATH", f"cannot write {path}: {reason}") from None
