-- Publishing channels (issue 14): a channel is a chat like any other (chats.type = 'channel',
-- its language chosen, its mode instant or daily), so the outbox, the worker, corrections and
-- /stats treat it as a subscriber. This table keeps what only a channel has: its title and
-- @username as the admins know it, who added it (NULL when the channel sent /subscribe
-- itself), and when an admin removed it (the row stays for /audit and the health history).
CREATE TABLE channels (
    chat_id     INTEGER PRIMARY KEY,               -- the chat's Telegram id (-100...)
    title       TEXT    NOT NULL,
    username    TEXT,                              -- without @; NULL for a private channel
    added_by    INTEGER,                           -- admin's Telegram user id
    added_at    TEXT    NOT NULL,                  -- ISO 8601 UTC
    removed_at  TEXT,
    removed_by  INTEGER
);

-- A channel's health (/channels: last delivery, failures) reads its own deliveries; channel
-- and supergroup ids are the only ones at or below -10^12, so this index stays small beside
-- the millions of private chats' rows. Queries repeat the condition word for word so SQLite
-- uses it.
CREATE INDEX deliveries_big_chats ON deliveries (chat_id, status)
    WHERE chat_id <= -1000000000000;
