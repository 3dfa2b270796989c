"""Settings: everything the bot reads from its environment, one option group per concern."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config.options import (
    AdminOptions,
    DeliveryLimits,
    FeedOptions,
    FloodLimits,
    MetricsOptions,
    WebhookConfig,
)

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment; tests build it from a dict."""

    bot_token: str | None = None
    admin_ids: frozenset[int] = frozenset()
    database_path: Path = Path("data/visatalks.sqlite3")
    api_base_url: str = DEFAULT_API_BASE_URL
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Almaty"))
    log_level: str = "INFO"
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    flood: FloodLimits = field(default_factory=FloodLimits)
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
