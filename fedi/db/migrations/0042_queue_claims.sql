-- Queues shared by several worker processes (fedi/db/claims.py). A worker claims due rows in one
-- statement: claimed_by names it, claimed_until is when its claim lapses unless renewed (a worker
-- renews its claims while it works). A row whose claim lapsed (its worker died) is taken by
-- another worker; done rows keep claimed_by (who handled them) with claimed_until NULL, so the
-- partial indexes below hold only the rows being worked on.
ALTER TABLE inbox_activities ADD COLUMN claimed_by TEXT;
ALTER TABLE inbox_activities ADD COLUMN claimed_until TEXT;
-- Two workers never run one actor's activities at once (their order is the inbox's order).
CREATE INDEX inbox_activities_claimed ON inbox_activities (actor_uri, claimed_until)
    WHERE claimed_until IS NOT NULL;

ALTER TABLE outbox_activities ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox_activities ADD COLUMN claimed_until TEXT;
CREATE INDEX outbox_activities_claimed ON outbox_activities (claimed_by)
    WHERE claimed_until IS NOT NULL;

ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_until TEXT;
CREATE INDEX deliveries_claimed ON deliveries (claimed_by) WHERE claimed_until IS NOT NULL;

ALTER TABLE mail_outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE mail_outbox ADD COLUMN claimed_until TEXT;
CREATE INDEX mail_outbox_claimed ON mail_outbox (claimed_by) WHERE claimed_until IS NOT NULL;

ALTER TABLE push_deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE push_deliveries ADD COLUMN claimed_until TEXT;
CREATE INDEX push_deliveries_claimed ON push_deliveries (claimed_by)
    WHERE claimed_until IS NOT NULL;

ALTER TABLE scheduled_statuses ADD COLUMN claimed_by TEXT;
ALTER TABLE scheduled_statuses ADD COLUMN claimed_until TEXT;
CREATE INDEX scheduled_statuses_claimed ON scheduled_statuses (claimed_by)
    WHERE claimed_until IS NOT NULL;

-- The periodic loops that must run in one process at a time (polls closing, home feed trimming,
-- digests...): one row per loop, held by one worker until held_until unless renewed.
CREATE TABLE worker_leases (
    name TEXT PRIMARY KEY,
    held_by TEXT NOT NULL,
    held_until TEXT NOT NULL
);
