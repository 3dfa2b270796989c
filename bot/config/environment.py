"""Reading Settings from environment variables: each variable checked, and the first bad one
named in a ConfigError, so a misconfigured bot stops with one clear line."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.options import (
    PAID_CONCURRENCY,
    AdminOptions,
    DeliveryLimits,
    FeedOptions,
    FloodLimits,
    MetricsOptions,
    WebhookConfig,
)
from bot.config.settings import DEFAULT_API_BASE_URL, LOG_LEVELS, Settings
from bot.errors import ConfigError

_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
# What Telegram accepts as setWebhook's secret_token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253})$")
_FEED_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


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
