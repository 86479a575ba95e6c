"""SQL for bookmarks, pins (by id), favourites lists and read markers: a member's own lists."""

from __future__ import annotations

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader


def add_bookmark(conn: Connection, account_id: int, status_id: int, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO bookmarks (id, account_id, status_id, created_at)"
        " VALUES (?, ?, ?, ?)",
        (new_id(), account_id, status_id, now),
    )


def remove_bookmark(conn: Connection, account_id: int, status_id: int) -> None:
    conn.execute(
        "DELETE FROM bookmarks WHERE account_id = ? AND status_id = ?", (account_id, status_id)
    )


def unpin(conn: Connection, account_id: int, status_id: int) -> None:
    conn.execute(
        "DELETE FROM status_pins WHERE account_id = ? AND status_id = ?", (account_id, status_id)
    )


def set_marker(
    conn: Connection, account_id: int, timeline: str, last_read_id: str, now: str
) -> None:
    conn.execute(
        "INSERT INTO markers (account_id, timeline, last_read_id, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id,"
        " version = markers.version + 1, updated_at = excluded.updated_at",
        (account_id, timeline, last_read_id, now),
    )


async def markers(conn: Reader, account_id: int) -> list[tuple[str, str, int, str]]:
    cursor = await conn.execute(
        "SELECT timeline, last_read_id, version, updated_at FROM markers WHERE account_id = ?",
        (account_id,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in await cursor.fetchall()]
