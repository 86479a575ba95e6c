-- Blocklists published by partner servers that this instance follows: a Mastodon-style
-- /api/v1/instance/domain_blocks JSON or a CSV in Mastodon's export format, fetched regularly.
-- Nothing a partner publishes takes effect before a moderator reviews it.
CREATE TABLE blocklist_subscriptions (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    created_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    fetched_at TEXT,
    -- Why the last fetch failed ('' when it worked).
    last_error TEXT NOT NULL DEFAULT '',
    -- Entries published with their domain hidden (digest only): listed, never importable.
    unimportable TEXT NOT NULL DEFAULT '[]'
);

-- What moderators decided about each domain the subscription published: applied (the block was
-- written with source 'subscription') or dismissed. The next fetch proposes only differences.
CREATE TABLE blocklist_entries (
    subscription_id INTEGER NOT NULL REFERENCES blocklist_subscriptions (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    severity TEXT NOT NULL,
    reject_media INTEGER NOT NULL DEFAULT 0,
    reject_reports INTEGER NOT NULL DEFAULT 0,
    public_comment TEXT NOT NULL DEFAULT '',
    applied INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, domain)
);

-- Changes waiting for review: 'add', 'update' or 'remove' of one domain.
CREATE TABLE blocklist_pending (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES blocklist_subscriptions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('add', 'update', 'remove')),
    domain TEXT NOT NULL,
    severity TEXT NOT NULL,
    reject_media INTEGER NOT NULL DEFAULT 0,
    reject_reports INTEGER NOT NULL DEFAULT 0,
    public_comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (subscription_id, domain)
);
