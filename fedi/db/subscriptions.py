"""SQL for subscriptions (follows with `notify`) and the `status` and `update` notifications they
and boosts lead to."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader


def set_notify(conn: Connection, follower_id: int, followed_id: int, notify: bool) -> int:
    return conn.execute(
        "UPDATE follows SET notify = ? WHERE follower_id = ? AND followed_id = ?",
        (int(notify), follower_id, followed_id),
    ).rowcount


async def is_notifying(conn: Reader, follower_id: int, followed_id: int) -> bool:
    """Whether follower_id follows followed_id (accepted) and asked to hear of every post."""
    cursor = await conn.execute(
        "SELECT 1 FROM follows WHERE follower_id = ? AND followed_id = ? AND state = 'accepted'"
        " AND notify = 1",
        (follower_id, followed_id),
    )
    return await cursor.fetchone() is not None


def notify_subscribers(conn: Connection, author_id: int, status_id: int, now: str) -> int:
    """A `status` notification for each local follower subscribed to the author; at most one per
    member and post, however often the post arrives."""
    rows = conn.execute(
        "SELECT f.follower_id FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND f.notify = 1"
        " AND a.domain IS NULL AND a.suspended_at IS NULL AND f.follower_id != ?"
        " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.account_id = f.follower_id"
        "   AND n.type = 'status' AND n.status_id = ?)",
        (author_id, author_id, status_id),
    ).fetchall()
    conn.executemany(
        "INSERT INTO notifications (id, account_id, type, from_account_id, status_id,"
        " created_at) VALUES (?, ?, 'status', ?, ?, ?)",
        [(new_id(), row[0], author_id, status_id, now) for row in rows],
    )
    return len(rows)


def local_boosters(conn: Connection, status_id: int) -> list[int]:
    """Local accounts that boosted the post."""
    rows = conn.execute(
        "SELECT DISTINCT s.account_id FROM statuses s JOIN accounts a ON a.id = s.account_id"
        " WHERE s.reblog_of_id = ? AND a.domain IS NULL",
        (status_id,),
    ).fetchall()
    return [row[0] for row in rows]


async def has_subscribers(conn: Reader, author_id: int) -> bool:
    """Whether any local member is subscribed to the author (what notify_subscribers would
    notify, before the check for an earlier notification of the same post)."""
    cursor = await conn.execute(
        "SELECT 1 FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND f.notify = 1"
        " AND a.domain IS NULL AND a.suspended_at IS NULL AND f.follower_id != ? LIMIT 1",
        (author_id, author_id),
    )
    return await cursor.fetchone() is not None


async def with_subscribers(conn: Reader, author_ids: Iterable[int]) -> set[int]:
    """Which of these authors have_subscribers (one query for a batch of the inbox)."""
    ids = list(dict.fromkeys(author_ids))[:500]  # well under SQLite's limit on parameters
    if not ids:
        return set()
    cursor = await conn.execute(
        "SELECT DISTINCT f.followed_id FROM follows f JOIN accounts a ON a.id = f.follower_id"
        f" WHERE f.followed_id IN ({', '.join('?' * len(ids))}) AND f.state = 'accepted'"
        " AND f.notify = 1 AND a.domain IS NULL AND a.suspended_at IS NULL"
        " AND f.follower_id != f.followed_id",
        ids,
    )
    return {row[0] for row in await cursor.fetchall()}
