-- Feeds: one announcement per polling round, the items kept out for admins, and pruning.

-- Feed articles stored by a check and waiting for the round's one announcement. Written in
-- the check's transaction and deleted in the announcement's, so a crash between the two only
-- delays them to the next round.
CREATE TABLE feed_pending (
    article_id  INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    feed_id     INTEGER NOT NULL,
    stored_at   TEXT    NOT NULL                    -- ISO 8601 UTC
);

-- Items the relevance judgement kept out although they touch the topic (visa, readmission,
-- the EU and Kazakhstan): /feeds lists the recent ones with a "let in" button.
CREATE TABLE feed_kept_out (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item_key      TEXT    NOT NULL,
    rule          TEXT    NOT NULL,                 -- the rule that decided (keywords.toml)
    title         TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    url           TEXT,
    guid          TEXT,
    language      TEXT    NOT NULL,
    published_at  TEXT    NOT NULL,
    kept_at       TEXT    NOT NULL,
    let_in_at     TEXT,                             -- an admin let it in
    let_in_by     INTEGER,
    article_id    INTEGER,                          -- the article it became
    UNIQUE (feed_id, item_key)
);
CREATE INDEX feed_kept_out_recent ON feed_kept_out (kept_at);

-- Pruning feed_seen by age, feed by feed.
CREATE INDEX feed_seen_age ON feed_seen (feed_id, first_seen);
