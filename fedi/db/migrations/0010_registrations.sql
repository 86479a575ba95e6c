-- Sign-ups: the e-mail address a member registered with (unique, compared without case; no
-- confirmation mail is sent), the reason given when registrations need approval, and the app
-- that registered them through the API. Follows gain `notify`: the follower asked to be told of
-- every new post (Mastodon's bell; the `status` notification).
CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;
ALTER TABLE users ADD COLUMN sign_up_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN created_by_app_id INTEGER REFERENCES oauth_apps (id) ON DELETE SET NULL;
CREATE INDEX users_pending ON users (is_approved) WHERE is_approved = 0;

ALTER TABLE follows ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;
