"""Settings: defaults, parsing, and one clear line naming a bad variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, load_settings, read_dotenv
from bot.errors import ConfigError

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.bot_token is None
    assert settings.timezone.key == "Asia/Almaty"
    assert settings.database_path == Path("data/visatalks.sqlite3")
    assert settings.api_base_url == "https://api.telegram.org/bot"


def test_values_are_parsed() -> None:
    settings = load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "ADMIN_IDS": "1, 22 333",
            "TIMEZONE": "Europe/Brussels",
            "LOG_LEVEL": "debug",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        }
    )
    assert settings.admin_ids == {1, 22, 333}
    assert settings.timezone.key == "Europe/Brussels"
    assert settings.log_level == "DEBUG"
    assert TOKEN not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("ADMIN_IDS", "@someone"),
        ("TIMEZONE", "Mars/Olympus"),
        ("LOG_LEVEL", "LOUD"),
        ("TELEGRAM_API_BASE_URL", "ftp://x"),
    ],
)
def test_bad_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})
    assert caught.value.variable == variable


def test_dotenv_file(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# comment\nexport BOT_TOKEN='abc'\nADMIN_IDS = 5\n\n", encoding="utf-8")
    assert read_dotenv(path) == {"BOT_TOKEN": "abc", "ADMIN_IDS": "5"}


def test_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"TIMEZONE": "Nowhere/City", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "visatalks: configuration error: TIMEZONE: 'Nowhere/City' is not an IANA time zone"
    ]


def test_settings_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().log_level = "DEBUG"  # type: ignore[misc]
