-- Mailing a published issue to the newsletter's subscribers, a page of members at a time:
-- mailed_up_to is the last member (by account id) whose mail was queued, in the same
-- transaction as that mail; mailed_at says every subscriber has had it.
ALTER TABLE newsletter_issues ADD COLUMN mailed_up_to INTEGER NOT NULL DEFAULT 0;
ALTER TABLE newsletter_issues ADD COLUMN mailed_at TEXT;
