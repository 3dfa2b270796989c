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

from bot.errors import StorageError
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


def backup(source: Path, target: Path) -> Copied:
    """Copy the database at `source` to `target` (a file, or a directory to put it in)."""
    if not source.is_file():
        raise StorageError(f"no database at {source}")
    if target.is_dir():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        target = target / f"{source.stem}-{stamp}.sqlite3"
    if target.resolve() == source.resolve():
        raise StorageError("the backup would overwrite the database itself")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(read_only_uri(source), uri=True) as src, _connect(str(partial)) as dst:
            src.backup(dst)  # pages=-1: one step, one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")
            version = _check(dst, partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise StorageError(f"backup of {source} failed: {exc}") from exc
    finally:
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
