-- Posts a member scheduled for later (Mastodon's ScheduledStatus): what they asked to post, as
-- JSON, published at scheduled_at by the background workers. `state`: waiting, then publishing
-- while it is being posted (at most once, as Mastodon), then published (status_id) or failed.
CREATE TABLE scheduled_statuses (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'publishing', 'published', 'failed')),
    status_id INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX scheduled_statuses_due ON scheduled_statuses (scheduled_at, id)
    WHERE state = 'waiting';
CREATE INDEX scheduled_statuses_account ON scheduled_statuses (account_id, id);

-- An upload a scheduled post will carry: kept for it (never cleaned up, never taken by another
-- post) until it is published or cancelled.
ALTER TABLE media_attachments ADD COLUMN scheduled_status_id INTEGER
    REFERENCES scheduled_statuses (id) ON DELETE SET NULL;
CREATE INDEX media_attachments_scheduled ON media_attachments (scheduled_status_id)
    WHERE scheduled_status_id IS NOT NULL;
