-- Accounts: local members, the instance actor and (later) remote actors, all ActivityPub actors.
-- Timestamps are UTC ISO-8601 text; ids are time-ordered 64-bit integers (fedi.ids).
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    domain TEXT,                                  -- NULL for local accounts
    actor_type TEXT NOT NULL DEFAULT 'Person'
        CHECK (actor_type IN ('Person', 'Group', 'Service', 'Application', 'Organization')),
    display_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',                -- sanitised HTML
    fields TEXT NOT NULL DEFAULT '[]',            -- JSON list of {"name", "value"}
    url TEXT,
    inbox_uri TEXT,
    shared_inbox_uri TEXT,
    outbox_uri TEXT,
    followers_uri TEXT,
    following_uri TEXT,
    featured_uri TEXT,
    public_key_id TEXT,
    public_key_pem TEXT,
    avatar_file TEXT,                             -- local media file name, or NULL
    header_file TEXT,
    avatar_remote_url TEXT,
    header_remote_url TEXT,
    is_locked INTEGER NOT NULL DEFAULT 0,
    is_bot INTEGER NOT NULL DEFAULT 0,
    is_discoverable INTEGER NOT NULL DEFAULT 1,
    suspended_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fetched_at TEXT
);
CREATE UNIQUE INDEX accounts_local_username ON accounts (lower(username)) WHERE domain IS NULL;
CREATE UNIQUE INDEX accounts_remote_acct ON accounts (lower(username), domain)
    WHERE domain IS NOT NULL;

-- Local members' credentials and role; one row per local Person account.
CREATE TABLE users (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'moderator', 'member')),
    email TEXT,
    locale TEXT,
    is_approved INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    last_active_at TEXT
);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    follower_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    followed_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
    created_at TEXT NOT NULL,
    UNIQUE (follower_id, followed_id)
);
CREATE INDEX follows_followed ON follows (followed_id, state, id);
CREATE INDEX follows_follower ON follows (follower_id, state, id);

CREATE TABLE statuses (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    url TEXT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
    content TEXT NOT NULL DEFAULT '',             -- sanitised HTML
    source_text TEXT,                             -- what a local author typed
    spoiler_text TEXT NOT NULL DEFAULT '',
    is_sensitive INTEGER NOT NULL DEFAULT 0,
    language TEXT,
    in_reply_to_id INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    in_reply_to_uri TEXT,
    reblog_of_id INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    is_local INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    edited_at TEXT
);
CREATE INDEX statuses_account ON statuses (account_id, id);
CREATE INDEX statuses_reply ON statuses (in_reply_to_id);

-- Pinned posts: the actor's `featured` collection.
CREATE TABLE status_pins (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, status_id)
);
