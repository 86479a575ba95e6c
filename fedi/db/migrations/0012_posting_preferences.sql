-- What a member's posts default to when an app does not say (Mastodon's source[privacy],
-- source[sensitive] and source[language], set through update_credentials).
CREATE TABLE posting_preferences (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'unlisted', 'private')),
    sensitive INTEGER NOT NULL DEFAULT 0,
    language TEXT
);
