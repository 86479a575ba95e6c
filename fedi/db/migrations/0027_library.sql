-- A space's shared library: documents uploaded without a post, in nested folders, each upload
-- under a name already in its folder kept as a new version of that document. A remote space's
-- documents (announced by the space, FEP-1b12) are kept as links to its server (remote_url).
CREATE TABLE library_folders (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES library_folders (id) ON DELETE CASCADE,
    -- 0 at the top: a plain column, so that the unique index below is portable SQL.
    parent_key INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,  -- the name case-folded: no two folders differing only in case
    depth INTEGER NOT NULL,
    created_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX library_folders_name ON library_folders (group_id, parent_key, name_key);

CREATE TABLE library_documents (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    folder_id INTEGER REFERENCES library_folders (id) ON DELETE CASCADE,
    folder_key INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    language TEXT,
    -- Name and title case-folded, for search by either (LIKE on a folded column: portable).
    search_key TEXT NOT NULL DEFAULT '',
    uploaded_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- The ActivityStreams id: ours for a local space, the space's server's for a remote one.
    uri TEXT NOT NULL UNIQUE,
    is_local INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX library_documents_name ON library_documents (group_id, folder_key, name_key);
CREATE INDEX library_documents_group ON library_documents (group_id, id);

CREATE TABLE library_versions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES library_documents (id) ON DELETE CASCADE,
    file TEXT,        -- the stored file (media directory), for a local space
    remote_url TEXT,  -- where the space's server serves it, for a remote space
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX library_versions_document ON library_versions (document_id, id);
CREATE INDEX library_versions_file ON library_versions (file) WHERE file IS NOT NULL;
CREATE INDEX library_versions_remote ON library_versions (remote_url) WHERE remote_url IS NOT NULL;

-- The space's quota in MB, set by an admin; NULL: the instance's library_quota_mb setting.
ALTER TABLE groups ADD COLUMN library_quota_mb INTEGER;

-- The space of the post an upload was last attached to, kept when the post lets go of it (an
-- edit, a deletion): a members-only space's file stays its members' until it is cleaned up.
-- Serving a file asks for it by the file's name or its preview's.
ALTER TABLE media_attachments ADD COLUMN space_id INTEGER;
UPDATE media_attachments SET space_id =
    (SELECT s.group_id FROM statuses s WHERE s.id = media_attachments.status_id)
    WHERE status_id IS NOT NULL AND file IS NOT NULL;
CREATE INDEX media_attachments_preview_file ON media_attachments (preview_file)
    WHERE preview_file IS NOT NULL;
