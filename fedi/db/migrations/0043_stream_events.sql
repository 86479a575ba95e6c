-- Live-stream changes shared between processes (fedi.streams.hub, when the instance runs more
-- than one process): each process's writer copies the changes its batch committed here, in the
-- same transaction, and every process with open streams reads the rows other processes wrote.
-- AUTOINCREMENT: a sequence number is never handed out twice, even after the oldest rows are
-- pruned, so a reader's "after seq N" never skips a row.
CREATE TABLE stream_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    origin TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref INTEGER NOT NULL,
    detail TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX stream_events_created ON stream_events (created_at);
