-- Web Push (fedi.push), as Mastodon's API has it.

-- The instance's VAPID key pair (RFC 8292): one row, made the first time it is needed and kept,
-- since every app's subscription names its public key (rotating it means all apps subscribe
-- again). public_key is the uncompressed P-256 point, base64url without padding, as apps read it.
CREATE TABLE vapid_keys (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One subscription per access token (an app login). p256dh (65 bytes) and auth (16 bytes) are
-- the app's keys, base64url; is_standard: RFC 8291 aes128gcm, else the legacy aesgcm draft;
-- alerts a JSON object of Mastodon notification types to booleans; sealed_token the app's own
-- access token, encrypted under a key the database does not hold, for the payload's
-- access_token (tokens are otherwise kept as hashes only).
CREATE TABLE push_subscriptions (
    id BIGINT PRIMARY KEY,
    token_id BIGINT NOT NULL UNIQUE REFERENCES oauth_tokens (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    is_standard BIGINT NOT NULL DEFAULT 0,
    alerts TEXT NOT NULL DEFAULT '{}',
    policy TEXT NOT NULL DEFAULT 'all' CHECK (policy IN ('all', 'followed', 'follower', 'none')),
    sealed_token BYTEA NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

-- A revoked token takes its subscription with it, whatever revoked it (the app, the member's
-- settings, a suspension, a refresh).
CREATE FUNCTION push_subscriptions_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM push_subscriptions WHERE token_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER push_subscriptions_token_revoked AFTER UPDATE OF revoked_at ON oauth_tokens FOR EACH ROW
WHEN (NEW.revoked_at IS NOT NULL)
EXECUTE FUNCTION push_subscriptions_token_revoked();

-- One push of one notification to one subscription, queued by the trigger below in the very
-- transaction that writes the notification, whichever code path writes it: none is lost, and
-- none is queued twice.
-- state: queued -> sending (claimed, just before the request) -> sent | skipped (its alert or
--        policy is off, or its sender hidden) | failed (refused for good, its 48 h TTL ran out,
--        or interrupted while sending: never sent again, so never shown twice).
-- A subscription the push service says is gone is deleted, and its pushes with it.
CREATE TABLE push_deliveries (
    id BIGINT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    notification_id BIGINT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'skipped', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (subscription_id, notification_id)
);

CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at, id) WHERE state = 'queued';

CREATE INDEX push_deliveries_created ON push_deliveries (created_at);

CREATE INDEX push_deliveries_notification ON push_deliveries (notification_id);

-- The time is the wall clock's, in fedi.core.timeutil.to_db's form.
-- (fedi_now(): migrations/postgresql/functions.sql)
CREATE FUNCTION push_deliveries_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO push_deliveries (subscription_id, notification_id, next_attempt_at, created_at)
        SELECT p.id, NEW.id, fedi_now(), fedi_now()
        FROM push_subscriptions p WHERE p.account_id = NEW.account_id AND p.policy != 'none';
    RETURN NULL;
END
$$;
CREATE TRIGGER push_deliveries_queued AFTER INSERT ON notifications FOR EACH ROW
EXECUTE FUNCTION push_deliveries_queued();
