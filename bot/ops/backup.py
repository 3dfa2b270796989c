"""`visatalks backup PATH` and `visatalks restore PATH`: one line each on what was done.

Backup runs beside the live bot (SQLite's online backup API, see storage.backup). Restore
takes the instance lock first, so it refuses to run while the bot uses the database.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.errors import AlreadyRunning, StorageError
from bot.ops.lock import InstanceLock, holder_pid
from storage import backup as copies


def backup_command(settings: Settings, target: Path) -> int:
    try:
        done = copies.backup(settings.database_path, target)
    except StorageError as exc:
        print(f"visatalks: backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backup written: {done.path} ({done.size} bytes, schema {done.schema_version})")
    return 0


def restore_command(settings: Settings, source: Path) -> int:
    try:
        lock = InstanceLock.acquire(settings.database_path)
    except AlreadyRunning:
        print(
            f"visatalks: restore refused: a visatalks (pid {holder_pid(settings.database_path)}) "
            f"is running on {settings.database_path}. Stop it first: the running bot keeps the "
            "database open and goes on writing to it, so it would overwrite the restored data "
            "or lose it.",
            file=sys.stderr,
        )
        return 1
    try:
        done = copies.restore(source, settings.database_path)
    except StorageError as exc:
        print(f"visatalks: restore failed: {exc}", file=sys.stderr)
        return 1
    finally:
        lock.release()
    print(
        f"restored {done.path} from {source} (schema {done.schema_version}; "
        "the bot migrates it on start)"
    )
    return 0
