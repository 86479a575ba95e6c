"""SQL for scheduled_statuses: posts waiting for their time, and the uploads kept for them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fedi.core.models import Attachment
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row
from fedi.db.media import _COLUMNS as media_columns

_COLUMNS = "id, account_id, scheduled_at, params, state, status_id, error, created_at"


@dataclass(frozen=True)
class Scheduled:
    id: int
    account_id: int
    scheduled_at: datetime
    params: dict[str, Any]
    state: str
    status_id: int | None
    error: str | None


def _scheduled(row: Row | tuple[Any, ...]) -> Scheduled:
    params = json.loads(row[3])
    return Scheduled(
        id=row[0], account_id=row[1], scheduled_at=from_db(row[2]),
        params=params if isinstance(params, dict) else {}, state=row[4], status_id=row[5],
        error=row[6],
    )  # fmt: skip


def insert(
    conn: Connection, scheduled_id: int, account_id: int, scheduled_at: str,
    params: dict[str, Any], media_ids: Sequence[int], now: str,
) -> bool:  # fmt: skip
    """Store a scheduled post and keep its uploads for it; False when one of them was taken
    meanwhile (the caller's transaction must not commit)."""
    conn.execute(
        f"INSERT INTO scheduled_statuses ({_COLUMNS}) VALUES (?, ?, ?, ?, 'waiting', NULL,"
        " NULL, ?)",
        (scheduled_id, account_id, scheduled_at, json.dumps(params), now),
    )
    return _keep_media(conn, scheduled_id, account_id, media_ids)


def _keep_media(
    conn: Connection, scheduled_id: int, account_id: int, media_ids: Sequence[int]
) -> bool:
    for media_id in media_ids:
        cursor = conn.execute(
            "UPDATE media_attachments SET scheduled_status_id = ? WHERE id = ? AND account_id = ?"
            " AND file IS NOT NULL AND status_id IS NULL"
            " AND (scheduled_status_id IS NULL OR scheduled_status_id = ?)",
            (scheduled_id, media_id, account_id, scheduled_id),
        )
        if cursor.rowcount != 1:
            return False
    return True


def let_go_of_media(conn: Connection, scheduled_id: int, now: str) -> None:
    """The uploads kept for a scheduled post become ordinary unattached uploads again."""
    conn.execute(
        "UPDATE media_attachments SET scheduled_status_id = NULL, detached_at = ?"
        " WHERE scheduled_status_id = ? AND status_id IS NULL",
        (now, scheduled_id),
    )


async def of_account(
    conn: Reader, account_id: int, below: int, above: int, limit: int,
    ascending: bool = False,
) -> list[Scheduled]:  # fmt: skip
    """The member's waiting scheduled posts with ids in (above, below), newest first (or the
    first ones above `above` with ascending)."""
    order = "ASC" if ascending else "DESC"
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM scheduled_statuses WHERE account_id = ? AND state = 'waiting'"
        f" AND id < ? AND id > ? ORDER BY id {order} LIMIT ?",
        (account_id, below, above, limit),
    )
    found = [_scheduled(row) for row in await cursor.fetchall()]
    return found[::-1] if ascending else found


async def get(conn: Reader, scheduled_id: int) -> Scheduled | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM scheduled_statuses WHERE id = ?", (scheduled_id,)
    )
    row = await cursor.fetchone()
    return _scheduled(row) if row else None


def count_waiting(conn: Connection, account_id: int, between: tuple[str, str] | None = None) -> int:
    """The member's waiting scheduled posts (those due between two times only)."""
    start, end = between or ("", "\uffff")
    row = conn.execute(
        "SELECT count(*) FROM scheduled_statuses WHERE account_id = ? AND state = 'waiting'"
        " AND scheduled_at >= ? AND scheduled_at < ?",
        (account_id, start, end),
    ).fetchone()
    return int(row[0])


def reschedule(conn: Connection, scheduled_id: int, account_id: int, when: str) -> bool:
    cursor = conn.execute(
        "UPDATE scheduled_statuses SET scheduled_at = ? WHERE id = ? AND account_id = ?"
        " AND state = 'waiting'",
        (when, scheduled_id, account_id),
    )
    return cursor.rowcount == 1


def delete_waiting(conn: Connection, scheduled_id: int, account_id: int, now: str) -> bool:
    """Cancel a waiting scheduled post (its uploads let go of); False when there is none."""
    let_go_of_media(conn, scheduled_id, now)
    cursor = conn.execute(
        "DELETE FROM scheduled_statuses WHERE id = ? AND account_id = ? AND state = 'waiting'",
        (scheduled_id, account_id),
    )
    return cursor.rowcount == 1


async def due(conn: Reader, now: str, limit: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT id FROM scheduled_statuses WHERE state = 'waiting' AND scheduled_at <= ?"
        " ORDER BY scheduled_at, id LIMIT ?",
        (now, limit),
    )
    return [row[0] for row in await cursor.fetchall()]


def claim(conn: Connection, scheduled_id: int, worker: str = "", until: str | None = None) -> bool:
    """Take a due post for publishing, once, for `worker` until `until` (fedi.db.claims): False
    when it was taken, cancelled or changed."""
    cursor = conn.execute(
        "UPDATE scheduled_statuses SET state = 'publishing', claimed_by = ?, claimed_until = ?"
        " WHERE id = ? AND state = 'waiting'",
        (worker, until, scheduled_id),
    )
    return cursor.rowcount == 1


def finish(conn: Connection, scheduled_id: int, status_id: int | None, error: str | None) -> None:
    conn.execute(
        "UPDATE scheduled_statuses SET state = ?, status_id = ?, error = ?, claimed_until = NULL"
        " WHERE id = ?",
        ("published" if status_id is not None else "failed", status_id, error, scheduled_id),
    )


def abandon_interrupted(conn: Connection, now: str, *, lapsed_only: bool = False) -> list[int]:
    """Posts left `publishing` by a worker that stopped (its claim lapsed, or it took them
    before claims had a lease; `lapsed_only`: the former, read through the claims' index):
    failed, never posted twice."""
    condition = (
        "claimed_until IS NOT NULL AND claimed_until < ?"
        if lapsed_only
        else "(claimed_until IS NULL OR claimed_until < ?)"
    )
    rows = conn.execute(
        f"SELECT id FROM scheduled_statuses WHERE state = 'publishing' AND {condition}", (now,)
    ).fetchall()
    ids = [row[0] for row in rows]
    for scheduled_id in ids:
        finish(conn, scheduled_id, None, "interrupted while publishing")
        let_go_of_media(conn, scheduled_id, now)
    return ids


async def kept_media(conn: Reader, scheduled_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    """The uploads kept for each of these scheduled posts, in one statement."""
    if not scheduled_ids:
        return {}
    marks = ", ".join("?" for _ in scheduled_ids)
    cursor = await conn.execute(
        f"SELECT scheduled_status_id, {media_columns} FROM media_attachments"
        f" WHERE scheduled_status_id IN ({marks}) AND status_id IS NULL ORDER BY id",
        list(scheduled_ids),
    )
    found: dict[int, list[Attachment]] = {}
    for row in await cursor.fetchall():
        found.setdefault(row[0], []).append(Attachment(*row[1:]))
    return found
