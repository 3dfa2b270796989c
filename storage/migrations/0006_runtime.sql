-- Small runtime facts one process writes and others read (the health check):
-- e.g. `last_poll_at`, when the bot last heard from Telegram.

CREATE TABLE runtime (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) WITHOUT ROWID;
