-- What a member chooses not to see: mutes and user domain blocks (private, never federated),
-- lists of followed accounts, and keyword/status filters (Mastodon CustomFilter).

CREATE TABLE mutes (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications INTEGER NOT NULL DEFAULT 1,
    expires_at TEXT,                                  -- NULL: until unmuted
    created_at TEXT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX mutes_target ON mutes (target_account_id);

-- A member's own block of a whole remote domain (not the admin's instance-wide block).
CREATE TABLE account_domain_blocks (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,                             -- normalised: lower-case, IDNA, port kept
    created_at TEXT NOT NULL,
    UNIQUE (account_id, domain)
);

CREATE TABLE lists (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    replies_policy TEXT NOT NULL DEFAULT 'list'
        CHECK (replies_policy IN ('followed', 'list', 'none')),
    is_exclusive INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX lists_account ON lists (account_id, id);

-- A list member hangs on the owner's follow (or follow request) of them: ending the follow
-- takes them off the list, as on Mastodon. follow_id is NULL only for the owner themself.
CREATE TABLE list_accounts (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    follow_id INTEGER REFERENCES follows (id) ON DELETE CASCADE,
    UNIQUE (list_id, account_id)
);
CREATE INDEX list_accounts_account ON list_accounts (account_id);
CREATE INDEX list_accounts_follow ON list_accounts (follow_id);

CREATE TABLE filters (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    contexts TEXT NOT NULL,                           -- JSON list: home, notifications, ...
    action TEXT NOT NULL DEFAULT 'warn' CHECK (action IN ('warn', 'hide')),
    expires_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX filters_account ON filters (account_id, id);

CREATE TABLE filter_keywords (
    id INTEGER PRIMARY KEY,
    filter_id INTEGER NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    whole_word INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id, id);

CREATE TABLE filter_statuses (
    id INTEGER PRIMARY KEY,
    filter_id INTEGER NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    UNIQUE (filter_id, status_id)
);
CREATE INDEX filter_statuses_status ON filter_statuses (status_id);
