-- What a member typed as their bio (the note column holds its HTML), and the Idempotency-Key of
-- recent posts, so that an app retrying a post does not publish it twice.
ALTER TABLE accounts ADD COLUMN note_source TEXT NOT NULL DEFAULT '';

CREATE TABLE idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, key)
);
