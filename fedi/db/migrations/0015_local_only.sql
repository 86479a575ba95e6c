-- Local-only posts (as GoToSocial and Takahē have them): seen by signed-in members of this
-- instance only, never served to other servers nor delivered to them.
ALTER TABLE statuses ADD COLUMN is_local_only INTEGER NOT NULL DEFAULT 0;
