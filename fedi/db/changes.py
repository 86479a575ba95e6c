"""The change log that live streams read: temporary triggers on the writer's connection note every
new, edited or deleted status, new notification, suspension and revoked token; the writer drains
the log inside each batch's transaction, so what the streams see is exactly what committed.

The triggers and their table are TEMP: they live on the writer connection only, change no schema
and cost nothing until a stream is first opened. (PostgreSQL has no temporary triggers: its
triggers, made with the schema, note changes only for a connection that set fedi.stream_changes,
in that connection's temporary table: migrations/postgresql/functions.sql.) Whatever path writes
a row (API, inbox, CLI, cascades), it is seen. A deleted status keeps, in `detail`, what
deciding its audience needs.

When the instance runs several processes, each copies its drained changes into stream_events
(migration 0043) in the same transaction (share), and reads those of the others (shared_after).
On PostgreSQL, share also announces them on fedi_streams (fedi.db.notify), so that the others
read at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from fedi.db.connection import Connection, Reader
from fedi.db.notify import STREAMS, notify
from fedi.db.postgres import is_postgresql

Kind = Literal["update", "status.update", "delete", "notification", "suspend", "revoke"]

# One statement each: executescript() would commit the writer's open transaction.
_INSTALL = (
    """
CREATE TEMP TABLE IF NOT EXISTS stream_changes (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref INTEGER NOT NULL,
    detail TEXT
)
""",
    """
CREATE TEMP TRIGGER IF NOT EXISTS stream_status_created AFTER INSERT ON main.statuses
BEGIN
    INSERT INTO stream_changes (kind, ref) VALUES ('update', NEW.id);
END
""",
    """
CREATE TEMP TRIGGER IF NOT EXISTS stream_status_edited AFTER UPDATE OF edited_at ON main.statuses
WHEN NEW.edited_at IS NOT OLD.edited_at
BEGIN
    INSERT INTO stream_changes (kind, ref) VALUES ('status.update', NEW.id);
END
""",
    """
CREATE TEMP TRIGGER IF NOT EXISTS stream_status_deleted BEFORE DELETE ON main.statuses
BEGIN
    INSERT INTO stream_changes (kind, ref, detail) VALUES ('delete', OLD.id, json_object(
        'account_id', OLD.account_id,
        'visibility', OLD.visibility,
        'is_local', OLD.is_local,
        'is_reblog', OLD.reblog_of_id IS NOT NULL,
        'has_media', EXISTS (SELECT 1 FROM main.media_attachments WHERE status_id = OLD.id),
        'mentions', json((SELECT json_group_array(account_id) FROM main.mentions
                          WHERE status_id = OLD.id)),
        'tags', json((SELECT json_group_array(name) FROM main.status_tags
                      WHERE status_id = OLD.id))
    ));
END
""",
    """
CREATE TEMP TRIGGER IF NOT EXISTS stream_notification AFTER INSERT ON main.notifications
BEGIN
    INSERT INTO stream_changes (kind, ref, detail)
    VALUES ('notification', NEW.id, json_object('account_id', NEW.account_id));
END
""",
    """
CREATE TEMP TRIGGER IF NOT EXISTS stream_account_suspended
AFTER UPDATE OF suspended_at ON main.accounts
WHEN NEW.suspended_at IS NOT NULL AND OLD.suspended_at IS NULL
BEGIN
    INSERT INTO stream_changes (kind, ref) VALUES ('suspend', NEW.id);
END
""",
    """
CREATE TEMP TRIGGER IF NOT EXISTS stream_token_revoked
AFTER UPDATE OF revoked_at ON main.oauth_tokens
WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    INSERT INTO stream_changes (kind, ref) VALUES ('revoke', NEW.id);
END
""",
    """
CREATE TEMP TRIGGER IF NOT EXISTS stream_token_deleted AFTER DELETE ON main.oauth_tokens
BEGIN
    INSERT INTO stream_changes (kind, ref) VALUES ('revoke', OLD.id);
END
""",
)


_PG_INSTALL = (
    "CREATE TEMP TABLE IF NOT EXISTS stream_changes (seq BIGSERIAL PRIMARY KEY,"
    " kind TEXT NOT NULL, ref BIGINT NOT NULL, detail TEXT)",
    "SET fedi.stream_changes = 'on'",
)


@dataclass(frozen=True)
class Change:
    kind: Kind
    ref: int  # the status, notification, account or token id
    detail: dict[str, Any] | None = None


def install(conn: Connection) -> None:
    """Create the log and its triggers on the writer connection (idempotent)."""
    for statement in _PG_INSTALL if is_postgresql(conn) else _INSTALL:
        conn.execute(statement)


def drain(conn: Connection) -> list[Change]:
    """Take every change logged in the current transaction, oldest first."""
    rows = conn.execute("SELECT kind, ref, detail FROM temp.stream_changes ORDER BY seq").fetchall()
    if rows:
        conn.execute("DELETE FROM temp.stream_changes")
    return [
        Change(kind=row[0], ref=row[1], detail=json.loads(row[2]) if row[2] else None)
        for row in rows
    ]


def share(conn: Connection, origin: str, found: list[Change], now: str) -> None:
    """Copy changes this process's batch commits for the other processes' streams (and, on
    PostgreSQL, tell them when it commits)."""
    conn.executemany(
        "INSERT INTO stream_events (origin, kind, ref, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        [
            (origin, c.kind, c.ref, json.dumps(c.detail) if c.detail is not None else None, now)
            for c in found
        ],
    )
    if is_postgresql(conn):
        notify(conn, STREAMS, origin)


def prune_shared(conn: Connection, before: str) -> None:
    """Forget shared changes written before `before`: streams read them within a second."""
    conn.execute("DELETE FROM stream_events WHERE created_at < ?", (before,))


async def last_shared(conn: Reader) -> int:
    """The sequence number of the newest shared change (0 when there is none)."""
    cursor = await conn.execute("SELECT coalesce(max(seq), 0) FROM stream_events")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def shared_after(conn: Reader, seq: int, limit: int) -> list[tuple[int, str, Change]]:
    """The shared changes after `seq`, oldest first, each with its sequence number and the
    process that wrote it."""
    cursor = await conn.execute(
        "SELECT seq, origin, kind, ref, detail FROM stream_events WHERE seq > ?"
        " ORDER BY seq LIMIT ?",
        (seq, limit),
    )
    return [
        (row[0], row[1], Change(row[2], row[3], json.loads(row[4]) if row[4] else None))
        for row in await cursor.fetchall()
    ]
