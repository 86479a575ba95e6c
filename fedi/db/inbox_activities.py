"""SQL for inbox_activities: received activities stored raw, then processed by the inbox worker.

States: pending -> done, or pending -> failed after a permanent error or too many attempts. A
pending row is claimed by one worker at a time (fedi.db.claims); recording its outcome ends the
claim.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from fedi.db.claims import CLAIM_LOCK
from fedi.db.connection import Connection, Reader
from fedi.db.postgres import is_postgresql

INBOX_CLAIM_LOCK = 0x6665646901  # the advisory lock key of the inbox's claims


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


def claim_due(conn: Connection, worker: str, now: str, until: str, limit: int) -> list[InboxRow]:
    """Claim up to `limit` due activities for `worker` until `until`, in one statement, and
    return them in the order they are to run (retries last, then as received). Skipped: rows
    another worker holds, and the activities of an actor another worker is running (one
    actor's activities run in order, so on one worker at a time)."""
    if is_postgresql(conn):
        # Claims one at a time, so that each sees which actors the others hold (claims.py).
        conn.execute("SELECT pg_advisory_xact_lock(?)", (INBOX_CLAIM_LOCK,))
    rows = conn.execute(
        "UPDATE inbox_activities SET claimed_by = ?, claimed_until = ? WHERE id IN ("
        " SELECT i.id FROM inbox_activities i WHERE i.state = 'pending'"
        " AND i.next_attempt_at <= ?"
        " AND (i.claimed_until IS NULL OR i.claimed_until < ? OR i.claimed_by = ?)"
        # The actors others hold, gathered once (not looked for again for each due row).
        " AND i.actor_uri NOT IN (SELECT e.actor_uri FROM inbox_activities e"
        " WHERE e.claimed_until >= ? AND e.claimed_by <> ?)"
        f" ORDER BY i.attempts, i.id LIMIT ?{CLAIM_LOCK})"
        " RETURNING id, activity_uri, actor_uri, type, body, recipient_id, attempts,"
        " collection_sync",
        (worker, until, now, now, worker, now, worker, limit),
    ).fetchall()
    found = [InboxRow(*row) for row in rows]
    found.sort(key=lambda row: (row.attempts, row.id))  # RETURNING follows no ORDER BY
    return found


async def due(conn: Reader, now: str, limit: int) -> list[InboxRow]:
    """Due activities no live claim holds (what a worker would claim), without claiming."""
    cursor = await conn.execute(
        "SELECT id, activity_uri, actor_uri, type, body, recipient_id, attempts,"
        " collection_sync FROM inbox_activities WHERE state = 'pending' AND next_attempt_at <= ?"
        " AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY attempts, id LIMIT ?",
        (now, now, limit),
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
    worker: str = ""  # the worker whose claim it ends (fedi.db.claims)


def record(conn: Connection, outcomes: list[Outcome]) -> None:
    """Record what became of processed activities, one statement per kind of outcome, and end
    their claims. Only the worker holding a row's claim records it: one whose claim lapsed and
    went to another worker leaves the row to that one."""
    conn.executemany(
        "UPDATE inbox_activities SET state = 'done', attempts = attempts + 1, last_error = NULL,"
        " claimed_until = NULL WHERE id = ? AND claimed_by = ? AND state = 'pending'",
        [(o.row_id, o.worker) for o in outcomes if o.state == "done"],
    )
    conn.executemany(
        "UPDATE inbox_activities SET state = 'failed', attempts = attempts + 1, last_error = ?,"
        " claimed_until = NULL WHERE id = ? AND claimed_by = ? AND state = 'pending'",
        [((o.error or "")[:2000], o.row_id, o.worker) for o in outcomes if o.state == "failed"],
    )
    conn.executemany(
        "UPDATE inbox_activities SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
        " claimed_until = NULL WHERE id = ? AND claimed_by = ? AND state = 'pending'",
        [
            ((o.error or "")[:2000], o.next_attempt_at, o.row_id, o.worker)
            for o in outcomes
            if o.state == "pending"
        ],
    )


def forget_before(conn: Connection, before: str, limit: int) -> int:
    """Forget up to `limit` activities handled (done or failed) before `before`, raw bodies and
    all; returns how many went. One received again later is stored and handled anew, and its
    handler finds what it wrote the first time."""
    return conn.execute(
        "DELETE FROM inbox_activities WHERE id IN (SELECT id FROM inbox_activities"
        " WHERE state IN ('done', 'failed') AND next_attempt_at < ? LIMIT ?)",
        (before, limit),
    ).rowcount


async def state_of(conn: Reader, activity_uri: str) -> tuple[str, str | None] | None:
    cursor = await conn.execute(
        "SELECT state, last_error FROM inbox_activities WHERE activity_uri = ?", (activity_uri,)
    )
    row = await cursor.fetchone()
    return (row[0], row[1]) if row else None
