-- News feeds: their schedule and health, and the items each one has shown us.
--
-- Everything the poller needs after a restart lives here, never only in the JobQueue:
-- the conditional-GET validators, when to look next, and the error streak behind the backoff.

CREATE TABLE feeds (
    id               INTEGER PRIMARY KEY,
    url              TEXT    NOT NULL UNIQUE,
    origin           TEXT    NOT NULL CHECK (origin IN ('config', 'admin')),
    active           INTEGER NOT NULL DEFAULT 1,    -- 0 once removed (seen items are kept)
    added_by         INTEGER,                       -- Telegram user id of the admin
    title            TEXT,                          -- the feed's own title, once read
    etag             TEXT,
    last_modified    TEXT,
    next_check_at    TEXT    NOT NULL,              -- ISO 8601 UTC, as every time below
    last_checked_at  TEXT,
    last_success_at  TEXT,
    last_new_at      TEXT,                          -- when a new relevant item last came
    error_count      INTEGER NOT NULL DEFAULT 0,    -- failures in a row; drives the backoff
    last_problem     TEXT,                          -- bot.feeds.errors.Problem of the last check
    last_detail      TEXT,
    failing_since    TEXT,                          -- first failure of the current streak
    alerted_at       TEXT,                          -- admins told of this streak
    items_stored     INTEGER NOT NULL DEFAULT 0,    -- relevant items that entered the news store
    items_skipped    INTEGER NOT NULL DEFAULT 0,    -- new items that were not about the talks
    created_at       TEXT    NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_check_at) WHERE active = 1;

-- One row per item a feed has ever shown (relevant or not), so an item is judged and
-- announced once even when the feed reorders, drops and re-adds it, or loses its newest.
CREATE TABLE feed_seen (
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item_key    TEXT    NOT NULL,                   -- guid, else normalised link, else hash
    first_seen  TEXT    NOT NULL,
    PRIMARY KEY (feed_id, item_key)
) WITHOUT ROWID;

-- Feed articles are deduplicated across feeds and against seeds by their URL too.
CREATE INDEX articles_url ON articles (url) WHERE url IS NOT NULL;
