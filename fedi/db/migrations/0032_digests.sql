-- When each member's last digest (weekly or monthly) was made: the next one covers what came
-- after, and is made once its period has passed.
ALTER TABLE mail_preferences ADD COLUMN digest_sent_at TEXT;
