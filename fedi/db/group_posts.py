"""SQL for the posts of a group (FEP-1b12): which group a post belongs to (statuses.group_id) and
the group's own boost of it, which is how the group shares a post with its followers."""

from __future__ import annotations

import sqlite3


def boost_now(conn: sqlite3.Connection, group_id: int, status_id: int) -> int | None:
    """The id of the group's boost of a post, inside a write transaction."""
    row = conn.execute(
        "SELECT id FROM statuses WHERE account_id = ? AND reblog_of_id = ?", (group_id, status_id)
    ).fetchone()
    return int(row[0]) if row else None


def may_share_now(conn: sqlite3.Connection, group_id: int, status_id: int) -> bool:
    """Whether the post is still here, in no other group, and not yet shared by this group."""
    row = conn.execute(
        "SELECT group_id FROM statuses WHERE id = ? AND reblog_of_id IS NULL", (status_id,)
    ).fetchone()
    if row is None or row[0] not in (None, group_id):
        return False
    return boost_now(conn, group_id, status_id) is None


def mark(conn: sqlite3.Connection, status_id: int, group_id: int) -> None:
    """The post belongs to the group from now on."""
    conn.execute("UPDATE statuses SET group_id = ? WHERE id = ?", (group_id, status_id))


def unmark(conn: sqlite3.Connection, status_id: int, group_id: int) -> None:
    """The post no longer belongs to the group (a moderator took it out)."""
    conn.execute(
        "UPDATE statuses SET group_id = NULL WHERE id = ? AND group_id = ?", (status_id, group_id)
    )
