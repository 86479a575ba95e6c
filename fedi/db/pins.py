"""SQL for status pins: the posts a member features on their profile."""

from __future__ import annotations

from fedi.core.models import Status
from fedi.db.connection import Connection, Reader
from fedi.db.statuses import COLUMNS, status_from_row


async def pinned_public(
    conn: Reader, account_id: int, limit: int, *, with_local_only: bool = False
) -> list[Status]:
    """Pinned public and unlisted posts; local-only ones only with_local_only (never in the
    featured collection served to other servers)."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM status_pins p JOIN statuses s ON s.id = p.status_id"
        " WHERE p.account_id = ? AND s.account_id = ? AND s.visibility IN ('public', 'unlisted')"
        " AND (? = 1 OR s.is_local_only = 0) ORDER BY p.created_at DESC LIMIT ?",
        (account_id, account_id, int(with_local_only), limit),
    )
    return [status_from_row(row) for row in await cursor.fetchall()]


def pin(conn: Connection, account_id: int, status_id: int, created_at: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO status_pins (account_id, status_id, created_at) VALUES (?, ?, ?)",
        (account_id, status_id, created_at),
    )
