"""SQL for idempotency keys: a member's `Idempotency-Key` and the status it made, so that a post
sent twice is made once (as Mastodon keeps them)."""

from __future__ import annotations

from fedi.db.connection import Connection, Reader


async def status_for(conn: Reader, account_id: int, key: str) -> int | None:
    cursor = await conn.execute(
        "SELECT status_id FROM idempotency_keys WHERE account_id = ? AND key = ?",
        (account_id, key),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else None


def remember(conn: Connection, account_id: int, key: str, status_id: int, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO idempotency_keys (account_id, key, status_id, created_at)"
        " VALUES (?, ?, ?, ?)",
        (account_id, key, status_id, now),
    )
