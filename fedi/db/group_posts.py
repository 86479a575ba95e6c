"""SQL for the posts of groups. Public groups (FEP-1b12): which group a post belongs to
(statuses.group_id) and the group's own boost of it, which is how the group shares it. Private
groups: the group's own copies of members' submissions (account_id = group, submitted_by_id =
the member, submission_uri = their original)."""

from __future__ import annotations

from fedi.core.models import Status
from fedi.db.connection import Connection, Reader
from fedi.db.statuses import COLUMNS, status_from_row


async def copy_by_uri(conn: Reader, group_id: int, uri: str) -> Status | None:
    """One of the group's own copies, by its id."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.uri = ? AND s.account_id = ?"
        " AND s.group_id = ? AND s.reblog_of_id IS NULL",
        (uri, group_id, group_id),
    )
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


async def copy_of_submission(
    conn: Reader, submission_uri: str, group_id: int | None = None
) -> Status | None:
    """The copy a group made of a member's submission (of any group when group_id is None)."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.submission_uri = ?"
        " AND s.account_id = s.group_id AND (? IS NULL OR s.group_id = ?) ORDER BY s.id LIMIT 1",
        (submission_uri, group_id, group_id),
    )
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


def boost_now(conn: Connection, group_id: int, status_id: int) -> int | None:
    """The id of the group's boost of a post, inside a write transaction."""
    row = conn.execute(
        "SELECT id FROM statuses WHERE account_id = ? AND reblog_of_id = ?", (group_id, status_id)
    ).fetchone()
    return int(row[0]) if row else None


def may_share_now(conn: Connection, group_id: int, status_id: int) -> bool:
    """Whether the post is still here, in no other group, and not yet shared by this group."""
    row = conn.execute(
        "SELECT group_id FROM statuses WHERE id = ? AND reblog_of_id IS NULL", (status_id,)
    ).fetchone()
    if row is None or row[0] not in (None, group_id):
        return False
    return boost_now(conn, group_id, status_id) is None


def mark(conn: Connection, status_id: int, group_id: int) -> None:
    """The post belongs to the group from now on."""
    conn.execute("UPDATE statuses SET group_id = ? WHERE id = ?", (group_id, status_id))


def unmark(conn: Connection, status_id: int, group_id: int) -> None:
    """The post no longer belongs to the group (a moderator took it out)."""
    conn.execute(
        "UPDATE statuses SET group_id = NULL WHERE id = ? AND group_id = ?", (status_id, group_id)
    )
