-- Reports about accounts and their posts (Mastodon's Report), moderators' notes on them, and the
-- warnings moderators give accounts (Mastodon's AccountWarning).

-- A report: from a local member (through an app) or from another server (an incoming Flag,
-- whose reporter is the sending actor). action_taken_at set means resolved.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    uri TEXT UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    comment TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT 'other'
        CHECK (category IN ('spam', 'legal', 'violation', 'other')),
    rule_ids TEXT NOT NULL DEFAULT '[]',
    is_forwarded INTEGER NOT NULL DEFAULT 0,
    assigned_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_by_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX reports_open ON reports (action_taken_at, id);
CREATE INDEX reports_target ON reports (target_account_id, id);

CREATE TABLE report_statuses (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, status_id)
);

CREATE TABLE report_notes (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, id);

-- action: none | silence | suspend | delete_statuses (Mastodon's AccountWarning actions).
CREATE TABLE account_warnings (
    id INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    target_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    report_id INTEGER REFERENCES reports (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    status_ids TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX account_warnings_target ON account_warnings (target_account_id, id);

-- A `moderation_warning` notification names its warning.
ALTER TABLE notifications ADD COLUMN account_warning_id INTEGER
    REFERENCES account_warnings (id) ON DELETE CASCADE;
