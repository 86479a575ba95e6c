-- The instance's rules about other servers, set by its administrators and moderators
-- (Mastodon's DomainBlock and DomainAllow), and the record of every moderation action.

-- A rule covers the domain and every subdomain on label boundaries; the longest rule wins.
-- `domain` is lower-case ASCII (IDNA), without port or trailing dot.
CREATE TABLE domain_blocks (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    severity TEXT NOT NULL CHECK (severity IN ('noop', 'silence', 'suspend')),
    -- When the current severity took effect: the stamp put on the accounts it suspended or
    -- limited, so that lifting it restores exactly those.
    severity_at TEXT NOT NULL,
    reject_media INTEGER NOT NULL DEFAULT 0,
    reject_reports INTEGER NOT NULL DEFAULT 0,
    obfuscate INTEGER NOT NULL DEFAULT 0,
    private_comment TEXT NOT NULL DEFAULT '',
    public_comment TEXT NOT NULL DEFAULT '',
    -- Where the rule came from: 'manual', 'import', or 'subscription' (with subscription_url).
    source TEXT NOT NULL DEFAULT 'manual',
    source_detail TEXT NOT NULL DEFAULT '',
    created_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Allowed domains: consulted only in allowlist (limited federation) mode.
CREATE TABLE domain_allows (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL DEFAULT 'manual',
    source_detail TEXT NOT NULL DEFAULT '',
    created_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

-- Settings an administrator changes at run time (for instance `allowlist_mode`), and
-- `federation_generation`, bumped with every change to the rules above so that every process
-- notices it.
CREATE TABLE instance_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Who did what, to what, when and why. Entries are never edited; a deleted moderator's
-- entries stay (account_id NULL, the name kept in actor_label).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER,
    target_label TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

-- An account limited (silenced) by moderators: hidden from public timelines and from anyone
-- who does not follow it. Suspension is accounts.suspended_at.
ALTER TABLE accounts ADD COLUMN silenced_at TEXT;
