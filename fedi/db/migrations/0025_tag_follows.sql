-- Hashtags a member follows (Mastodon's TagFollow): public posts carrying one join the member's
-- home timeline. `name` is the tag's normal form (fedi.core.html.tag_name: lower-case, without
-- the #), as status_tags stores it, so the home timeline joins the two on it; `id` orders the
-- member's list as Mastodon pages /api/v1/followed_tags (newest first).
CREATE TABLE tag_follows (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, name)
);
-- The member's list, paged by id.
CREATE INDEX tag_follows_account ON tag_follows (account_id, id);
