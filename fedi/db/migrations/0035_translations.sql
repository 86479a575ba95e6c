-- Machine translations of posts, kept so that asking again costs the engine nothing: one per
-- post, version of its text (source_hash, a hash of everything sent) and target language. An
-- edit changes the hash, so the post is translated afresh; deleting the post deletes them.
CREATE TABLE status_translations (
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    source_hash TEXT NOT NULL,
    target_language TEXT NOT NULL,
    provider TEXT NOT NULL,
    detected_source_language TEXT,
    content TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    -- JSON arrays: the poll's option titles, and [attachment id, description] pairs.
    poll_options TEXT NOT NULL,
    media_descriptions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (status_id, target_language, provider, source_hash)
);

-- The languages the configured engine translates from and to, as it last listed them (engine
-- names the engine and its URL); fetched again once a day.
CREATE TABLE translation_languages (
    engine TEXT PRIMARY KEY,
    languages TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
