"""SQL for a private group's posts: its own copies of members' submissions (account_id = group,
submitted_by_id = the member, submission_uri = their original), and where the group delivers
them (the current members' servers)."""

from __future__ import annotations

import aiosqlite

from fedi.db.statuses import COLUMNS, status_from_row
from fedi.models import Status

# The group's current members (accepted follow, not suspended, not banned), as fedi.db.groups
# counts them.
_CURRENT_MEMBERS = (
    "SELECT f.follower_id FROM follows f JOIN accounts m ON m.id = f.follower_id"
    " WHERE f.followed_id = ? AND f.state = 'accepted' AND m.suspended_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM group_bans b WHERE b.group_id = f.followed_id"
    "   AND b.account_id = f.follower_id)"
)


async def member_inboxes(conn: aiosqlite.Connection, group_id: int) -> list[str]:
    """One inbox per server with a current remote member: its shared inbox when it has one."""
    cursor = await conn.execute(
        "SELECT DISTINCT COALESCE(a.shared_inbox_uri, a.inbox_uri) FROM accounts a"
        f" WHERE a.domain IS NOT NULL AND a.id IN ({_CURRENT_MEMBERS})",
        (group_id,),
    )
    return [row[0] for row in await cursor.fetchall() if row[0]]


async def copy_by_uri(conn: aiosqlite.Connection, group_id: int, uri: str) -> Status | None:
    """One of the group's own copies, by its id."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.uri = ? AND s.account_id = ?"
        " AND s.group_id = ? AND s.reblog_of_id IS NULL",
        (uri, group_id, group_id),
    )
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


async def copy_of_submission(
    conn: aiosqlite.Connection, submission_uri: str, group_id: int | None = None
) -> Status | None:
    """The copy a group made of a member's submission (of any group when group_id is None)."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.submission_uri = ?"
        " AND s.account_id = s.group_id AND (? IS NULL OR s.group_id = ?) ORDER BY s.id LIMIT 1",
        (submission_uri, group_id, group_id),
    )
    row = await cursor.fetchone()
    return status_from_row(row) if row else None
