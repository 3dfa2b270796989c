"""`visatalks health` and `/healthz`: one line, and whether the bot is fit.

States, worst first: `db unreachable` (cannot read the database), `migrations behind` (the
schema is older than this release: the bot has not started since an upgrade, or failed to),
`stale poll` (no successful exchange with Telegram for longer than `max_age`: the bot is
down, stuck or cut off), and `ok`. Pending deliveries are reported, never judged: a backlog
after a broadcast is normal.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.errors import StorageError
from storage.probe import Probe, probe

# Long polls end every 10 s and beats are written every 15 s (bot.telegram.heartbeat); webhook mode
# checks in with Telegram every 60 s. Two minutes leaves room for one slow round.
STALE_AFTER = 120.0


@dataclass(frozen=True)
class Health:
    ok: bool
    state: str
    line: str


def judge(found: Probe, now: dt.datetime, max_age: float = STALE_AFTER) -> Health:
    pending = "n/a" if found.pending_deliveries is None else str(found.pending_deliveries)
    if found.last_poll_at is None:
        poll, age = "last poll never", None
    else:
        age = max(0.0, (now - found.last_poll_at).total_seconds())
        poll = f"last poll {age:.0f} s ago"
    details = (
        f"schema {found.schema_version}/{found.latest_version}, {poll}, "
        f"pending deliveries {pending}"
    )
    if found.schema_version < found.latest_version:
        return Health(False, "migrations behind", f"migrations behind: {details}")
    if found.schema_version > found.latest_version:
        # A downgrade: this release does not know the newer tables.
        return Health(False, "migrations ahead", f"migrations ahead: {details}")
    if age is None or age > max_age:
        return Health(False, "stale poll", f"stale poll (limit {max_age:.0f} s): {details}")
    return Health(True, "ok", f"ok: {details}")


async def check(database_path: Path, max_age: float = STALE_AFTER) -> Health:
    """The health of the bot that uses `database_path`, read without writing anything."""
    try:
        found = await probe(database_path)
    except StorageError as exc:
        return Health(False, "db unreachable", f"db unreachable: {exc}")
    return judge(found, dt.datetime.now(dt.UTC), max_age)


def health_command(settings: Settings, max_age: float) -> int:
    """Exit status for Docker's HEALTHCHECK: 0 healthy, 1 not (2 is reserved there)."""
    health = asyncio.run(check(settings.database_path, max_age))
    print(health.line)
    return 0 if health.ok else 1
