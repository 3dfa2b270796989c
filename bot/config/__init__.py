"""Settings, loaded once from the environment (and an optional .env file) in `main()`.

One module per job: the option groups and their defaults (`options`, `settings`), reading
them from variables (`environment`), the .env file (`dotenv`), the database path's check.
"""

from bot.config.database_path import check_database_path
from bot.config.dotenv import environment_with_dotenv, read_dotenv
from bot.config.environment import load_settings
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

__all__ = [
    "DEFAULT_API_BASE_URL",
    "LOG_LEVELS",
    "PAID_CONCURRENCY",
    "AdminOptions",
    "DeliveryLimits",
    "FeedOptions",
    "FloodLimits",
    "MetricsOptions",
    "Settings",
    "WebhookConfig",
    "check_database_path",
    "environment_with_dotenv",
    "load_settings",
    "read_dotenv",
]
