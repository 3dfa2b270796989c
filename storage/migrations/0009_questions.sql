-- Questions people asked in plain text (issue 13): what the bot answered, the editors' list
-- of those it could not answer well, who asked to be told when the editors answer, and the
-- phrasings the editors linked to a fact. No user id is kept; a chat id only for a chat that
-- pressed "tell me", and only until the answer is queued (or the question is deleted).

CREATE TABLE questions (
    id         INTEGER PRIMARY KEY,
    asked_at   TEXT    NOT NULL,                 -- ISO 8601 UTC
    language   TEXT    NOT NULL,                 -- the answer's language
    text       TEXT    NOT NULL,                 -- as asked; deleted after the retention
    signature  TEXT    NOT NULL,                 -- normalised words (bot/phrasing.py)
    answer     TEXT    NOT NULL,                 -- what the bot gave: facts, status, nothing...
    top        TEXT,                             -- the first fact key shown, or 'status'
    state      TEXT    NOT NULL DEFAULT 'none'
               CHECK (state IN ('none', 'open', 'answered', 'linked', 'dismissed')),
    feedback   INTEGER CHECK (feedback IN (-1, 1)),
    fact_id    INTEGER REFERENCES facts (id),    -- the editors' answer or linked fact
    closed_at  TEXT
);
CREATE INDEX questions_open ON questions (id) WHERE state = 'open';
CREATE INDEX questions_asked ON questions (asked_at);

CREATE TABLE question_waiters (
    question_id  INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL,
    PRIMARY KEY (question_id, chat_id)
) WITHOUT ROWID;

-- A phrasing the editors tied to a fact: a later question like it is answered with the fact.
CREATE TABLE question_phrasings (
    signature  TEXT    PRIMARY KEY,
    fact_id    INTEGER NOT NULL REFERENCES facts (id),
    added_by   INTEGER NOT NULL,
    added_at   TEXT    NOT NULL
) WITHOUT ROWID;
