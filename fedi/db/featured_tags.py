"""SQL for featured_tags: the hashtags a member shows on their profile, with how often and when
they last used each in a public or unlisted post."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.db.connection import Connection, Reader
from fedi.db.rows import opt_time


@dataclass(frozen=True)
class Featured:
    id: int
    name: str
    statuses_count: int
    last_status_at: str | None  # YYYY-MM-DD, as Mastodon gives it


async def of_account(conn: Reader, account_id: int) -> list[Featured]:
    """The member's featured hashtags with their use, most used first, in one statement."""
    cursor = await conn.execute(
        "SELECT f.id, f.name, count(s.id), max(s.created_at) FROM featured_tags f"
        " LEFT JOIN status_tags t ON t.name = f.name"
        " LEFT JOIN statuses s ON s.id = t.status_id AND s.account_id = f.account_id"
        " AND s.visibility IN ('public', 'unlisted') AND s.is_local_only = 0"
        " WHERE f.account_id = ? GROUP BY f.id, f.name ORDER BY count(s.id) DESC, f.id",
        (account_id,),
    )
    found = []
    for row in await cursor.fetchall():
        last = opt_time(row[3])
        found.append(Featured(row[0], row[1], row[2], last.date().isoformat() if last else None))
    return found


def count_of(conn: Connection, account_id: int) -> int:
    row = conn.execute(
        "SELECT count(*) FROM featured_tags WHERE account_id = ?", (account_id,)
    ).fetchone()
    return int(row[0])


def is_featured(conn: Connection, account_id: int, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM featured_tags WHERE account_id = ? AND name = ?", (account_id, name)
    ).fetchone()
    return row is not None


def feature(conn: Connection, feature_id: int, account_id: int, name: str, now: str) -> int:
    """Feature a hashtag (again: the same row); its id."""
    conn.execute(
        "INSERT INTO featured_tags (id, account_id, name, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (account_id, name) DO NOTHING",
        (feature_id, account_id, name, now),
    )
    row = conn.execute(
        "SELECT id FROM featured_tags WHERE account_id = ? AND name = ?", (account_id, name)
    ).fetchone()
    return int(row[0])


def unfeature(conn: Connection, feature_id: int, account_id: int) -> bool:
    cursor = conn.execute(
        "DELETE FROM featured_tags WHERE id = ? AND account_id = ?", (feature_id, account_id)
    )
    return cursor.rowcount == 1


async def recently_used(conn: Reader, account_id: int, limit: int) -> list[str]:
    """The hashtags of the member's latest posts, most recent first (suggestions)."""
    cursor = await conn.execute(
        "SELECT t.name FROM statuses s INDEXED BY statuses_account"
        " JOIN status_tags t ON t.status_id = s.id WHERE s.account_id = ?"
        " AND s.reblog_of_id IS NULL ORDER BY s.id DESC LIMIT 200",
        (account_id,),
    )
    names = list(dict.fromkeys(row[0] for row in await cursor.fetchall()))
    return names[:limit]
