-- Delivery: announced updates, their texts, the outbox (one row per update and chat), the
-- digest slots (the persisted schedule) and when each chat last got a digest.
--
-- Scheduling columns (next_attempt_at, due_at, digest times) are Unix seconds (REAL): the
-- worker compares them on every poll and sub-second retry delays need the precision.
-- Human-facing timestamps (created_at, sent_at) are ISO 8601 UTC text like everywhere else.

CREATE TABLE updates (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('milestone', 'news', 'feed')),
    article_id    INTEGER REFERENCES articles (id),
    milestone_id  INTEGER REFERENCES milestones (id),
    created_by    INTEGER,                          -- admin's Telegram user id; NULL for feeds
    created_at    TEXT    NOT NULL
);

CREATE TABLE update_texts (
    update_id  INTEGER NOT NULL REFERENCES updates (id) ON DELETE CASCADE,
    language   TEXT    NOT NULL,
    body       TEXT    NOT NULL,                    -- Telegram HTML, already safe
    PRIMARY KEY (update_id, language)
) WITHOUT ROWID;

-- chat_id has no foreign key: a group that becomes a supergroup moves to a new id, and its
-- pending rows follow it (see OutboxRepo.follow_chat); sent rows keep the id they went to.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    update_id        INTEGER NOT NULL REFERENCES updates (id),
    chat_id          INTEGER NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'paused', 'sent', 'failed', 'skipped',
                                       'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,    -- failed tries (a 429 is not one)
    next_attempt_at  REAL    NOT NULL,              -- not before this time
    due_at           REAL,                          -- digest time; NULL = instant delivery
    parts_sent       INTEGER NOT NULL DEFAULT 0,    -- of a text split at 4096 characters
    last_error       TEXT,
    message_id       INTEGER,                       -- the first message of the delivery
    language         TEXT,                          -- the chat's language when it was sent
    sent_at          TEXT
);
-- The worker's queue: due pending rows, oldest first.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending';
-- Per update: counts, pause / resume / cancel, the list of sent messages.
CREATE INDEX deliveries_update ON deliveries (update_id, status);
-- Per chat, only the rows still to go: digest bundles, blocked chats, moved chats.
CREATE INDEX deliveries_chat ON deliveries (chat_id) WHERE status IN ('pending', 'paused');
-- The most common errors across all updates, for admins (failed rows are few).
CREATE INDEX deliveries_failed ON deliveries (last_error) WHERE status = 'failed';

-- The next occurrence of every digest time, kept current by the delivery worker in the
-- configured time zone. Publishing copies a digest chat's slot into its rows' due_at, so a
-- schedule survives restarts without any job being persisted.
CREATE TABLE digest_slots (
    mode     TEXT    NOT NULL CHECK (mode IN ('daily', 'weekly')),
    weekday  INTEGER NOT NULL CHECK (weekday BETWEEN -1 AND 6),  -- 0 = Monday; -1 for daily
    hour     INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    due_at   REAL    NOT NULL,
    PRIMARY KEY (mode, weekday, hour)
) WITHOUT ROWID;

CREATE TABLE digest_log (
    chat_id       INTEGER PRIMARY KEY,
    last_sent_at  REAL    NOT NULL,
    updates       INTEGER NOT NULL                  -- how many updates the last digest bundled
);
