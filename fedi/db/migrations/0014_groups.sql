-- Groups (FEP-1b12 for public groups; members-only copies for private ones, see groups.md).
-- A group is an accounts row with actor_type 'Group' and no users row; membership is an
-- accepted follow of the group (a pending follow is a join request).
CREATE TABLE groups (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    is_private INTEGER NOT NULL DEFAULT 0,
    -- Nothing about a local-only group federates: its actor is not served to other servers and
    -- remote follow requests are refused.
    is_local_only INTEGER NOT NULL DEFAULT 0,
    -- A private group accepts join requests only from local members and partner domains.
    partners_only INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    CHECK (is_private = 1 OR is_local_only = 0)
);

-- Who runs a group: local or remote accounts. The owner is a moderator who cannot be removed
-- by other moderators.
CREATE TABLE group_moderators (
    group_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'moderator')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_moderators_account ON group_moderators (account_id);

-- Domains whose members may ask to join a partners-only private group.
CREATE TABLE group_partner_domains (
    group_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_id, domain)
);

-- Accounts banned from a group (FEP-c648's Blocked collection, served to members only).
CREATE TABLE group_bans (
    group_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    reason TEXT NOT NULL DEFAULT '',
    banned_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);

-- What moderators did in a group (approvals per domain, removals, bans, deletions): who, what,
-- when, why. Shown to the group's moderators only.
CREATE TABLE group_log (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    actor_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    target_domain TEXT,
    detail TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX group_log_group ON group_log (group_id, id);

-- The group a post belongs to (its `audience`). For a private group's own copy of a member's
-- submission: who wrote it, and the submission's id (FEP-e232 link).
ALTER TABLE statuses ADD COLUMN group_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE statuses ADD COLUMN submitted_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE statuses ADD COLUMN submission_uri TEXT;
CREATE INDEX statuses_group ON statuses (group_id, id) WHERE group_id IS NOT NULL;
CREATE INDEX statuses_submission ON statuses (submission_uri) WHERE submission_uri IS NOT NULL;
