"""The optional .env file: parsed by hand (KEY=VALUE lines), a real variable always wins."""

from __future__ import annotations

import os
from pathlib import Path

from bot.errors import ConfigError


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
