-- Polls: hidden totals, the end processed once (closed_at), a pending Update{Question} for the
-- counts (sent in batches by the poll loop), and one row per vote.
ALTER TABLE polls ADD COLUMN hide_totals INTEGER NOT NULL DEFAULT 0;
-- Set when the end was processed: the author and local voters notified, the final counts sent.
ALTER TABLE polls ADD COLUMN closed_at TEXT;
-- The counts changed since the last Update{Question} went out (local polls only).
ALTER TABLE polls ADD COLUMN update_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX polls_open ON polls (expires_at) WHERE closed_at IS NULL;
CREATE INDEX polls_update_pending ON polls (status_id) WHERE update_pending = 1;

-- A vote for one option. Local members' votes on any poll, remote actors' votes on ours.
-- `uri` is the vote Note's id (a remote voter's, or the one we sent for a remote poll).
CREATE TABLE poll_votes (
    id INTEGER PRIMARY KEY,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice INTEGER NOT NULL,
    uri TEXT UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (status_id, account_id, choice)
);
CREATE INDEX poll_votes_account ON poll_votes (account_id, status_id);
