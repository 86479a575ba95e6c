-- The server's rules, as Mastodon's /api/v1/instance/rules lists them: a short text, an optional
-- hint that explains it, and the order administrators chose (position, smallest first).
CREATE TABLE instance_rules (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX instance_rules_position ON instance_rules (position, id);
