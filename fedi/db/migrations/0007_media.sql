-- Local media uploads: the file and its preview are stored under random names in the media
-- directory (`file`, `preview_file`); an upload belongs to no status until a post attaches it.
ALTER TABLE media_attachments ADD COLUMN preview_file TEXT;
ALTER TABLE media_attachments ADD COLUMN preview_width INTEGER;
ALTER TABLE media_attachments ADD COLUMN preview_height INTEGER;
ALTER TABLE media_attachments ADD COLUMN file_size INTEGER;
ALTER TABLE media_attachments ADD COLUMN focus_x REAL NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN focus_y REAL NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
-- When a post let go of the upload (edited away, or the post deleted): the clean-up counts a
-- day from then, so that "delete and redraft" can reuse it.
ALTER TABLE media_attachments ADD COLUMN detached_at TEXT;
CREATE INDEX media_attachments_unattached ON media_attachments (account_id, id)
    WHERE status_id IS NULL;
