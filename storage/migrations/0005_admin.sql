-- Admin features: the audit log, the posts admins publish (what they typed, so a post can be
-- corrected later), and who last edited a fact (so seeds never overwrite an admin's edit).

-- Who did what, when. Append-only; read newest first by id.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,                  -- ISO 8601 UTC
    user_id  INTEGER NOT NULL,                  -- Telegram user id (an admin, or who was refused)
    action   TEXT    NOT NULL,                  -- e.g. post.sent, fact.retired, refused
    subject  TEXT    NOT NULL DEFAULT '',       -- what it was about: "#12", "/post", a fact key
    detail   TEXT    NOT NULL DEFAULT ''        -- name=value pairs (data, not prose); never a text
);

-- One row per update an admin published. The update itself (kind, author, time, the texts as
-- subscribers read them) is in `updates`; this is what the admin typed and chose.
-- `token` names the post's articles (admin-<token>-<language>) and milestone (admin-<token>).
CREATE TABLE posts (
    update_id     INTEGER PRIMARY KEY REFERENCES updates (id),
    token         TEXT    NOT NULL UNIQUE,
    stage         INTEGER CHECK (stage BETWEEN 1 AND 7),   -- milestones only
    happened_on   TEXT,                                     -- milestones only: ISO date
    source_url    TEXT,
    edited_at     TEXT,
    edited_by     INTEGER,
    withdrawn_at  TEXT,
    withdrawn_by  INTEGER
);

CREATE TABLE post_texts (
    update_id  INTEGER NOT NULL REFERENCES posts (update_id) ON DELETE CASCADE,
    language   TEXT    NOT NULL,
    body       TEXT    NOT NULL,                -- the admin's text as Telegram HTML (safe)
    place      TEXT    NOT NULL DEFAULT '',     -- milestones only
    PRIMARY KEY (update_id, language)
) WITHOUT ROWID;

-- Set when an admin changes a fact; seeds then leave its topic, source and texts alone.
ALTER TABLE facts ADD COLUMN edited_by INTEGER;
