-- Hashtags a member features on their profile (Mastodon's featured tags, at most ten), by the
-- tag's normal form; their counts are read from the member's own posts.
CREATE TABLE featured_tags (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, name)
);
