-- Outgoing mail (fedi.mail). Each row holds the whole RFC 5322 message as it will be sent, so a
-- restart loses nothing and a retry sends the very same bytes (same Message-ID).
-- state: queued -> sent (over SMTP) | written (as data_dir/mail/<time>-<id>.eml, no smtp_host)
--        | failed (given up after the last attempt; kept for administrators to see).
-- last_error says what went wrong in words fit for an administrator, never a password or a body.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    message BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'written', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    file_name TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE state = 'queued';

-- Tokens sent by mail, stored as their SHA-256 only: the link in the mail is the one copy.
-- purpose confirm: proves `detail` (an address) is the member's; one use, expires.
-- purpose reset: sets a new password; one use, expires within hours.
-- purpose unsubscribe: ends the member's subscription to the list named by `detail`
--   (notifications, newsletter, digest) without signing in (RFC 8058); may be used again.
CREATE TABLE mail_tokens (
    digest TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset', 'unsubscribe')),
    detail TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX mail_tokens_account ON mail_tokens (account_id, purpose);
CREATE INDEX mail_tokens_expiry ON mail_tokens (expires_at);

-- When the member proved their address (NULL: not yet; any change of address clears it).
-- Addresses given before this migration were never proven, so they start unconfirmed.
ALTER TABLE users ADD COLUMN email_confirmed_at TEXT;

-- What a member asked to receive by mail: notification mail (opt-in), the newsletter (opt-in)
-- and a digest (off, weekly, monthly). notified_up_to is the last notification a mail told of
-- (none before the member opted in), notified_at when that mail was queued, so that
-- notifications arriving close together share one mail.
CREATE TABLE mail_preferences (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    notifications INTEGER NOT NULL DEFAULT 0,
    newsletter INTEGER NOT NULL DEFAULT 0,
    digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'weekly', 'monthly')),
    notified_up_to INTEGER NOT NULL DEFAULT 0,
    notified_at TEXT
);
CREATE INDEX mail_preferences_notified ON mail_preferences (account_id) WHERE notifications = 1;
