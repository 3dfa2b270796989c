-- Chats, the news store with its full-text index, facts and milestones.

CREATE TABLE chats (
    id               INTEGER PRIMARY KEY,          -- Telegram chat id
    type             TEXT    NOT NULL,             -- private / group / supergroup / channel
    language         TEXT    NOT NULL,             -- kk / ru / en: the effective language
    language_chosen  INTEGER NOT NULL DEFAULT 0,   -- 1 once the chat picked it with /lang
    mode             TEXT    NOT NULL DEFAULT 'off'
                     CHECK (mode IN ('off', 'instant', 'daily', 'weekly')),
    digest_hour      INTEGER NOT NULL DEFAULT 9 CHECK (digest_hour BETWEEN 0 AND 23),
    digest_weekday   INTEGER NOT NULL DEFAULT 0 CHECK (digest_weekday BETWEEN 0 AND 6),
    state            TEXT    NOT NULL DEFAULT 'active'
                     CHECK (state IN ('active', 'blocked', 'gone')),
    first_seen       TEXT    NOT NULL,
    last_seen        TEXT    NOT NULL
);
CREATE INDEX chats_subscribed ON chats (mode, state) WHERE mode != 'off';

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    key           TEXT UNIQUE,                     -- stable key of seed articles
    origin        TEXT NOT NULL CHECK (origin IN ('seed', 'feed', 'admin')),
    source        TEXT NOT NULL,
    url           TEXT,
    guid          TEXT,
    language      TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    author        TEXT,
    published_at  TEXT NOT NULL,                   -- ISO 8601 date or datetime
    content_hash  TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published_at DESC, id DESC);
CREATE UNIQUE INDEX articles_hash ON articles (content_hash);

-- unicode61 without stemming (none exists for Kazakh); queries use quoted prefix tokens.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='articles', content_rowid='id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER articles_au AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TABLE facts (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    topic       TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    article_id  INTEGER NOT NULL REFERENCES articles (id),
    keywords    TEXT NOT NULL DEFAULT '',
    retired     INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);

CREATE TABLE fact_texts (
    fact_id   INTEGER NOT NULL REFERENCES facts (id) ON DELETE CASCADE,
    language  TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    PRIMARY KEY (fact_id, language)
) WITHOUT ROWID;

CREATE TABLE milestones (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    stage       INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 7),
    happened_on TEXT NOT NULL,                    -- ISO date
    article_id  INTEGER REFERENCES articles (id),
    source      TEXT NOT NULL,
    url         TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE milestone_texts (
    milestone_id  INTEGER NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
    language      TEXT    NOT NULL,
    place         TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    PRIMARY KEY (milestone_id, language)
) WITHOUT ROWID;
