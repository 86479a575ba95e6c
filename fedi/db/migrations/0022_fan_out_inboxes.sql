-- A fan-out reads one row per follower to find each distinct inbox (fedi.db.follows
-- .follower_inboxes): both sides of that join answered from narrow indexes rather than from the
-- rows, so that 10,000 followers cost a few thousand pages less per post.

-- The accepted followers of an account, their ids in the index itself.
CREATE INDEX follows_followed_follower ON follows (followed_id, state, follower_id);

-- What a fan-out needs of each follower: whether it is remote and not suspended, and its inboxes.
CREATE INDEX accounts_inboxes ON accounts (id, suspended_at, domain, shared_inbox_uri, inbox_uri);
