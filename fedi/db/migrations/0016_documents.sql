-- Documents (PDF, office files, text) as uploads: the name the file had on the member's device
-- (cleaned by fedi.documents), given back when the file is downloaded. Serving a document looks
-- its row up by the name we stored it under.
ALTER TABLE media_attachments ADD COLUMN file_name TEXT;
CREATE INDEX media_attachments_file ON media_attachments (file) WHERE file IS NOT NULL;
