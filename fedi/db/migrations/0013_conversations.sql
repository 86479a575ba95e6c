-- Direct conversations as a member sees them: a conversation is a thread of direct posts the
-- member wrote or was mentioned in; this keeps how far they have read it and whether they
-- removed it from their list (until a newer post arrives, as Mastodon does).
CREATE TABLE conversation_marks (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    thread TEXT NOT NULL,
    read_up_to INTEGER NOT NULL DEFAULT 0,
    hidden_up_to INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, thread)
);
CREATE INDEX statuses_direct ON statuses (visibility, id) WHERE visibility = 'direct';
