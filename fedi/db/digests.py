"""SQL for the digest mail: who is due one, and what happened in their spaces since."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.db.connection import Connection, Reader


@dataclass(frozen=True)
class SpaceActivity:
    group_id: int
    username: str
    display_name: str
    is_private: bool
    posts: int
    documents: int


async def due(
    conn: Reader, frequency: str, sent_before: str, after_id: int, limit: int
) -> list[tuple[int, str | None]]:
    """(account id, last digest time) of members who chose this frequency, have a confirmed
    address, are not suspended, and had no digest since `sent_before`, by account id."""
    cursor = await conn.execute(
        "SELECT p.account_id, p.digest_sent_at FROM mail_preferences p"
        " JOIN users u ON u.account_id = p.account_id JOIN accounts a ON a.id = p.account_id"
        " WHERE p.digest = ? AND u.email_confirmed_at IS NOT NULL AND a.suspended_at IS NULL"
        " AND (p.digest_sent_at IS NULL OR p.digest_sent_at < ?) AND p.account_id > ?"
        " ORDER BY p.account_id LIMIT ?",
        (frequency, sent_before, after_id, limit),
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]


def mark_sent(conn: Connection, account_id: int, now: str) -> None:
    conn.execute(
        "UPDATE mail_preferences SET digest_sent_at = ? WHERE account_id = ?", (now, account_id)
    )


async def activity(conn: Reader, account_id: int, since: str) -> list[SpaceActivity]:
    """The member's spaces on this server (accepted member) with their new posts and library
    documents since `since`, in one statement."""
    cursor = await conn.execute(
        "SELECT g.account_id, a.username, a.display_name, g.is_private,"
        " (SELECT count(*) FROM statuses s WHERE s.group_id = g.account_id"
        "  AND s.reblog_of_id IS NULL AND s.visibility <> 'direct' AND s.created_at > ?),"
        " (SELECT count(*) FROM library_documents d WHERE d.group_id = g.account_id"
        "  AND d.created_at > ?)"
        " FROM follows f JOIN groups g ON g.account_id = f.followed_id"
        " JOIN accounts a ON a.id = g.account_id"
        " WHERE f.follower_id = ? AND f.state = 'accepted' AND a.suspended_at IS NULL"
        " ORDER BY lower(a.display_name), a.id",
        (since, since, account_id),
    )
    return [
        SpaceActivity(row[0], row[1], row[2] or row[1], bool(row[3]), row[4], row[5])
        for row in await cursor.fetchall()
    ]
