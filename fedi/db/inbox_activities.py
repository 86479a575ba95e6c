"""SQL for inbox_activities: received activities stored raw, then processed by the inbox worker.

States: pending -> done, or pending -> failed after a permanent error or too many attempts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from fedi.db.connection import Connection, Reader


@dataclass(frozen=True)
class InboxRow:
    id: int
    activity_uri: str
    actor_uri: str
    type: str
    body: str
    recipient_id: int | None
    attempts: int
    collection_sync: str | None = None  # FEP-8fcf header of the delivery, as received


@dataclass(frozen=True)
class NewInboxRow:
    """A received activity to store (see insert_all)."""

    id: int
    activity_uri: str
    actor_uri: str
    type: str
    body: str
    recipient_id: int | None
    now: str
    collection_sync: str | None = None


_INSERT = (
    "INSERT OR IGNORE INTO inbox_activities (id, activity_uri, actor_uri, type, body,"
    " recipient_id, next_attempt_at, created_at, collection_sync) VALUES "
)
_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
ROWS_PER_STATEMENT = 64


@functools.lru_cache(maxsize=ROWS_PER_STATEMENT)
def _insert_sql(count: int) -> str:
    return _INSERT + ", ".join([_ROW] * count)


def insert_all(conn: Connection, rows: list[NewInboxRow]) -> None:
    """Store received activities, many rows per statement; an activity id seen before is skipped
    (a replay or a retry), which is why nothing says which rows were new."""
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        values: list[object] = []
        for r in chunk:
            values += (
                r.id,
                r.activity_uri,
                r.actor_uri,
                r.type,
                r.body,
                r.recipient_id,
                r.now,
                r.now,
                r.collection_sync,
            )
        conn.execute(_insert_sql(len(chunk)), values)


async def due(conn: Reader, now: str, limit: int) -> list[InboxRow]:
    cursor = await conn.execute(
        "SELECT id, activity_uri, actor_uri, type, body, recipient_id, attempts,"
        " collection_sync FROM inbox_activities WHERE state = 'pending' AND next_attempt_at <= ?"
        " ORDER BY attempts, id LIMIT ?",
        (now, limit),
    )
    return [InboxRow(*row) for row in await cursor.fetchall()]


@dataclass(frozen=True)
class Outcome:
    """What became of a processed activity: done, failed, or left pending for a retry at
    `next_attempt_at`; `error` says why it is not done."""

    row_id: int
    state: Literal["done", "failed", "pending"]
    error: str | None = None
    next_attempt_at: str | None = None


def record(conn: Connection, outcomes: list[Outcome]) -> None:
    """Record what became of processed activities, one statement per kind of outcome."""
    conn.executemany(
        "UPDATE inbox_activities SET state = 'done', attempts = attempts + 1, last_error = NULL"
        " WHERE id = ?",
        [(o.row_id,) for o in outcomes if o.state == "done"],
    )
    conn.executemany(
        "UPDATE inbox_activities SET state = 'failed', attempts = attempts + 1, last_error = ?"
        " WHERE id = ?",
        [((o.error or "")[:2000], o.row_id) for o in outcomes if o.state == "failed"],
    )
    conn.executemany(
        "UPDATE inbox_activities SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
        " WHERE id = ?",
        [
            ((o.error or "")[:2000], o.next_attempt_at, o.row_id)
            for o in outcomes
            if o.state == "pending"
        ],
    )


async def state_of(conn: Reader, activity_uri: str) -> tuple[str, str | None] | None:
    cursor = await conn.execute(
        "SELECT state, last_error FROM inbox_activities WHERE activity_uri = ?", (activity_uri,)
    )
    row = await cursor.fetchone()
    return (row[0], row[1]) if row else None
