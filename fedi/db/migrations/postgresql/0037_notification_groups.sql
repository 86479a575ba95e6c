-- Mastodon 4.3's notification groups (GET /api/v2/notifications): a favourite or boost of one
-- post, or a follow, carries the key of its group; notifications of the same kind (and post)
-- share a key while they fall within twelve hours of the group's first hour. Other notifications
-- have none (the API names them `ungrouped-<id>`).
ALTER TABLE notifications ADD COLUMN group_key TEXT;

CREATE INDEX notifications_group ON notifications (account_id, group_key, id)
    WHERE group_key IS NOT NULL;

-- Notifications from before: grouped by the hour they arrived in.
UPDATE notifications
SET group_key = CASE type WHEN 'follow' THEN 'follow' ELSE type || '-' || status_id END
    || '-' || (CAST(extract(epoch FROM CAST(created_at AS timestamptz)) AS BIGINT) / 3600)
WHERE type = 'follow' OR (type IN ('favourite', 'reblog') AND status_id IS NOT NULL);
