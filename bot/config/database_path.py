"""Checking the database path before the bot touches the network."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bot.errors import ConfigError


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
