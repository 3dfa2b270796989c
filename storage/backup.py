"""Copies of a live database through SQLite's online backup API, and restoring one.

The backup reads one consistent snapshot (a single backup step under WAL never blocks the
bot's writes), is checked with `PRAGMA integrity_check`, switched to a self-contained
rollback-journal file and only then renamed into place, so a half-written backup never
carries the final name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.errors import StorageError
from storage.probe import read_only_uri

_BUSY_MS = 10_000


@dataclass(frozen=True, slots=True)
class Copied:
    path: Path
    size: int
    schema_version: int


@contextlib.contextmanager
def _connect(target: str, *, uri: bool = False) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(target, uri=uri, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        yield conn
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, what: Path) -> int:
    """The schema version of a sound visatalks database; StorageError otherwise."""
    problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise StorageError(f"{what} failed the integrity check: {'; '.join(problems[:3])}")
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version < 1 or "chats" not in tables:
        raise StorageError(f"{what} is not a visatalks database")
    return version


def backup_name(now: dt.datetime) -> str:
    """The file a backup into a directory gets: `visatalks-YYYYMMDD-HHMMSS.sqlite3` (UTC),
    whatever the database is called, so the nightly pruning (deploy/) finds every one."""
    return f"visatalks-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}.sqlite3"


def _check_destination(target: Path) -> None:
    """StorageError naming `target` when its directory cannot take the backup."""
    folder = target.parent
    if not folder.is_dir():
        raise StorageError(f"cannot write the backup {target}: no directory {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(f"cannot write the backup {target}: {folder} is not writable")


def backup(source: Path, target: Path) -> Copied:
    """Copy the database at `source` to `target` (a file, or a directory to put it in)."""
    if not source.is_file():
        raise StorageError(f"no database at {source}")
    if target.is_dir():
        target = target / backup_name(dt.datetime.now(dt.UTC))
    if target.resolve() == source.resolve():
        raise StorageError("the backup would overwrite the database itself")
    _check_destination(target)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        with _connect(read_only_uri(source), uri=True) as src:
            try:
                with _connect(str(partial)) as dst:
                    src.backup(dst)  # pages=-1: one step, one snapshot
                    dst.execute("PRAGMA journal_mode = DELETE")
                    version = _check(dst, partial)
                with partial.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(partial, target)
            except (sqlite3.Error, OSError) as exc:
                # Reading a snapshot of a sound database hardly fails; writing it can.
                raise StorageError(f"cannot write the backup {target}: {exc}") from exc
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read the database {source}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return Copied(target, target.stat().st_size, version)


def restore(source: Path, target: Path) -> Copied:
    """Replace the database at `target` with the backup `source`; the bot must be stopped.

    The backup API writes through SQLite's own journal, so a leftover -wal file of the old
    database cannot leak into the restored one. The database being replaced is kept beside
    it as `<name>.before-restore` first.
    """
    if not source.is_file():
        raise StorageError(f"no backup at {source}")
    try:
        with _connect(read_only_uri(source), uri=True) as src:
            version = _check(src, source)
            if target.exists():
                keep = target.with_name(target.name + ".before-restore")
                keep.unlink(missing_ok=True)
                with _connect(str(target)) as old, _connect(str(keep)) as copy:
                    old.backup(copy)
                    copy.execute("PRAGMA journal_mode = DELETE")
            target.parent.mkdir(parents=True, exist_ok=True)
            with _connect(str(target)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise StorageError(f"restore from {source} failed: {exc}") from exc
    return Copied(target, target.stat().st_size, version)
