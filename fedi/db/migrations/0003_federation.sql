-- Federation: remote actors' extra state, posts from elsewhere, interactions, and the durable
-- inbox and delivery queues.

ALTER TABLE accounts ADD COLUMN also_known_as TEXT NOT NULL DEFAULT '[]';  -- JSON list of URIs
ALTER TABLE accounts ADD COLUMN moved_to_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
-- When the key last failed a verification and was refetched (at most once per cool-off).
ALTER TABLE accounts ADD COLUMN key_refetched_at TEXT;

ALTER TABLE statuses ADD COLUMN object_type TEXT NOT NULL DEFAULT 'Note';
ALTER TABLE statuses ADD COLUMN title TEXT NOT NULL DEFAULT '';      -- name of an Article/Page
ALTER TABLE statuses ADD COLUMN in_reply_to_account_id INTEGER
    REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE statuses ADD COLUMN thread_uri TEXT;                     -- AS2 `context`
ALTER TABLE statuses ADD COLUMN reply_depth INTEGER NOT NULL DEFAULT 0;
CREATE INDEX statuses_reblog ON statuses (reblog_of_id);
CREATE INDEX statuses_reply_uri ON statuses (in_reply_to_uri);

-- A post that was deleted: its id answers 410 Gone with a Tombstone, and is never recreated.
CREATE TABLE tombstones (
    uri TEXT PRIMARY KEY,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    deleted_at TEXT NOT NULL
);

-- Earlier versions of edited posts (newest edit last).
CREATE TABLE status_edits (
    id INTEGER PRIMARY KEY,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    spoiler_text TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

CREATE TABLE mentions (
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account ON mentions (account_id);

CREATE TABLE status_tags (
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    name TEXT NOT NULL,                                              -- lower-case, without #
    PRIMARY KEY (status_id, name)
);
CREATE INDEX status_tags_name ON status_tags (name, status_id);

CREATE TABLE media_attachments (
    id INTEGER PRIMARY KEY,
    status_id INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    media_type TEXT NOT NULL DEFAULT '',
    remote_url TEXT,
    file TEXT,
    description TEXT NOT NULL DEFAULT '',
    blurhash TEXT,
    width INTEGER,
    height INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX media_attachments_status ON media_attachments (status_id);

CREATE TABLE polls (
    status_id INTEGER PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    options TEXT NOT NULL,                       -- JSON list of {"title", "votes"}
    is_multiple INTEGER NOT NULL DEFAULT 0,
    voters_count INTEGER,
    expires_at TEXT
);

CREATE TABLE favourites (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    uri TEXT UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_status ON favourites (status_id);

CREATE TABLE blocks (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri TEXT UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks (target_account_id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);

-- Received activities, stored raw before any processing (verify -> store -> 202 -> worker).
-- state: pending -> done | failed. A duplicate activity id is ignored at insert.
CREATE TABLE inbox_activities (
    id INTEGER PRIMARY KEY,
    activity_uri TEXT NOT NULL UNIQUE,
    actor_uri TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    recipient_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,  -- personal inbox owner
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX inbox_activities_pending ON inbox_activities (state, next_attempt_at);

-- Activities this server publishes. Fan-out turns each into deliveries, computing the audience
-- when it runs. state: pending -> fanned_out.
CREATE TABLE outbox_activities (
    id INTEGER PRIMARY KEY,
    activity_uri TEXT NOT NULL UNIQUE,
    actor_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    audience TEXT NOT NULL,                      -- JSON: how to expand (see fedi.audience)
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fanned_out')),
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_activities_pending ON outbox_activities (state, id);

-- One signed POST of one activity to one inbox. state: queued -> done | failed (final);
-- a retryable failure stays queued with attempts + 1 and a later next_attempt_at.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES outbox_activities (id) ON DELETE CASCADE,
    inbox_uri TEXT NOT NULL,
    host TEXT NOT NULL,
    extra_headers TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (activity_id, inbox_uri)
);
CREATE INDEX deliveries_due ON deliveries (state, attempts, next_attempt_at);

-- Per-host delivery health for the circuit breaker.
CREATE TABLE hosts (
    host TEXT PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    open_until TEXT,
    last_success_at TEXT,
    last_failure_at TEXT
);

-- Remote handles are not unique over time (an account deleted and created again); the id is.
DROP INDEX accounts_remote_acct;
CREATE INDEX accounts_remote_acct ON accounts (lower(username), domain) WHERE domain IS NOT NULL;
CREATE INDEX accounts_key_id ON accounts (public_key_id);
