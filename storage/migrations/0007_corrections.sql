-- Delivered messages to fix after an admin corrected their update, kept in the database so a
-- restart carries on where the last run stopped (fixing 10,000 messages takes minutes).
-- A row is queued with `outcome` NULL; once fixed it keeps its outcome until the whole update
-- is done and reported to the admin. Correcting again bumps `revision` and queues the row
-- anew, so a fix made with the older text is not taken for done.
CREATE TABLE corrections (
    delivery_id  INTEGER PRIMARY KEY REFERENCES deliveries (id),
    update_id    INTEGER NOT NULL REFERENCES updates (id),
    admin_id     INTEGER NOT NULL,                  -- who is told when it is done
    revision     INTEGER NOT NULL DEFAULT 1,
    outcome      TEXT CHECK (outcome IN ('edited', 'corrected', 'unreachable', 'failed'))
);
CREATE INDEX corrections_update ON corrections (update_id, outcome);
