"""SQLite storage: one aiosqlite connection, numbered migrations, repositories with domain verbs.

SQL lives only in this package. Repositories return the dataclasses of `storage.models`.
"""

from storage.db import Store, open_store

__all__ = ["Store", "open_store"]
