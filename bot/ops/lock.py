"""One bot per database: an OS file lock on `<DATABASE_PATH>.lock`, held for the process's life.

Two instances on one database would each send every alert. flock() is released by the kernel
when the process dies however it dies, so a crash never leaves a stale lock behind; the pid
written into the file only makes the refusal message useful.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from bot.errors import AlreadyRunning


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


def _holder(fd: int) -> str:
    return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"


def holder_pid(database_path: Path) -> str:
    """The pid written by the process holding the lock of `database_path`, or "unknown"."""
    try:
        fd = os.open(lock_path(database_path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return "unknown"
    try:
        return _holder(fd)
    finally:
        os.close(fd)


class InstanceLock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database_path: Path) -> InstanceLock:
        """Take the lock or raise AlreadyRunning naming the holder."""
        path = lock_path(database_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise AlreadyRunning(
                f"another visatalks (pid {holder}) is running on {database_path}; "
                "two would send every alert twice. Stop it first, or give this one "
                "its own DATABASE_PATH."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
