"""SQL for the follows table: who follows whom, and the pages of followers/following collections."""

from __future__ import annotations

from typing import Literal

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader


def insert_follow(
    conn: Connection,
    *,
    follow_id: int,
    follower_id: int,
    followed_id: int,
    uri: str | None,
    state: str,
    created_at: str,
) -> None:
    conn.execute(
        "INSERT INTO follows (id, follower_id, followed_id, uri, state, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (follow_id, follower_id, followed_id, uri, state, created_at),
    )


# The accepted follows on one side of an account, and the actor on the other side.
_PAGE_SQL = {
    "followers": (
        "SELECT f.id, a.uri FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND a.suspended_at IS NULL"
        # Someone banned from a group is no member, even while a follow row remains.
        " AND NOT EXISTS (SELECT 1 FROM group_bans b WHERE b.group_id = f.followed_id"
        "   AND b.account_id = f.follower_id)"
        " AND (? IS NULL OR f.id < ?) ORDER BY f.id DESC LIMIT ?"
    ),
    "following": (
        "SELECT f.id, a.uri FROM follows f JOIN accounts a ON a.id = f.followed_id"
        " WHERE f.follower_id = ? AND f.state = 'accepted' AND a.suspended_at IS NULL"
        " AND (? IS NULL OR f.id < ?) ORDER BY f.id DESC LIMIT ?"
    ),
}


async def actor_uris_page(
    conn: Reader,
    account_id: int,
    side: Literal["followers", "following"],
    max_id: int | None,
    limit: int,
) -> list[tuple[int, str]]:
    """(follow id, actor URI) of an account's accepted followers or followed accounts, newest
    first, below max_id."""
    cursor = await conn.execute(_PAGE_SQL[side], (account_id, max_id, max_id, limit))
    return [(row[0], row[1]) for row in await cursor.fetchall()]


async def get_follow(
    conn: Reader, follower_id: int, followed_id: int
) -> tuple[int, str | None, str] | None:
    """(id, uri, state) of the follow of followed_id by follower_id, if there is one."""
    cursor = await conn.execute(
        "SELECT id, uri, state FROM follows WHERE follower_id = ? AND followed_id = ?",
        (follower_id, followed_id),
    )
    row = await cursor.fetchone()
    return (row[0], row[1], row[2]) if row else None


async def get_by_uri(conn: Reader, uri: str) -> tuple[int, int, int, str] | None:
    """(id, follower_id, followed_id, state) of the follow with this activity id."""
    cursor = await conn.execute(
        "SELECT id, follower_id, followed_id, state FROM follows WHERE uri = ?", (uri,)
    )
    row = await cursor.fetchone()
    return (row[0], row[1], row[2], row[3]) if row else None


def upsert_follow(
    conn: Connection,
    *,
    follower_id: int,
    followed_id: int,
    uri: str | None,
    state: str,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO follows (id, follower_id, followed_id, uri, state, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (follower_id, followed_id) DO UPDATE SET"
        " uri = COALESCE(excluded.uri, follows.uri),"
        " state = CASE WHEN follows.state = 'accepted' THEN 'accepted' ELSE excluded.state END",
        (new_id(), follower_id, followed_id, uri, state, now),
    )


def set_state(conn: Connection, follower_id: int, followed_id: int, state: str) -> int:
    return conn.execute(
        "UPDATE follows SET state = ? WHERE follower_id = ? AND followed_id = ?",
        (state, follower_id, followed_id),
    ).rowcount


def delete_follow(conn: Connection, follower_id: int, followed_id: int) -> int:
    return conn.execute(
        "DELETE FROM follows WHERE follower_id = ? AND followed_id = ?",
        (follower_id, followed_id),
    ).rowcount


async def local_followers_of(conn: Reader, account_id: int) -> list[int]:
    """Local accounts with an accepted follow of account_id."""
    cursor = await conn.execute(
        "SELECT f.follower_id FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND a.domain IS NULL",
        (account_id,),
    )
    return [row[0] for row in await cursor.fetchall()]


async def has_local_follower(conn: Reader, account_id: int) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND a.domain IS NULL LIMIT 1",
        (account_id,),
    )
    return await cursor.fetchone() is not None


async def is_follower_or_on_follower_host(
    conn: Reader, account_id: int, signer_id: int, signer_host: str
) -> bool:
    """Whether the signer follows account_id, or shares a host with an accepted follower (a
    server fetching on behalf of its users signs with its instance actor)."""
    cursor = await conn.execute(
        "SELECT 1 FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted'"
        " AND (a.id = ? OR a.domain = ?) LIMIT 1",
        (account_id, signer_id, signer_host),
    )
    return await cursor.fetchone() is not None


async def follower_inboxes(conn: Reader, account_id: int) -> list[str]:
    """One inbox per remote server following account_id: its shared inbox when it has one.
    Both tables are read through covering indexes (one row per follower: the rows themselves
    would be ten times the pages); the planner would rather look accounts up by rowid."""
    cursor = await conn.execute(
        "SELECT DISTINCT COALESCE(a.shared_inbox_uri, a.inbox_uri) FROM follows f"
        " JOIN accounts a INDEXED BY accounts_inboxes ON a.id = f.follower_id"
        " WHERE f.followed_id = ?"
        " AND f.state = 'accepted' AND a.domain IS NOT NULL AND a.suspended_at IS NULL",
        (account_id,),
    )
    return [row[0] for row in await cursor.fetchall() if row[0]]


async def pending_requests(conn: Reader, account_id: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT follower_id FROM follows WHERE followed_id = ? AND state = 'pending' ORDER BY id",
        (account_id,),
    )
    return [row[0] for row in await cursor.fetchall()]


async def local_follower_uris(conn: Reader, account_id: int) -> list[tuple[int, str]]:
    """(account id, actor id) of the local accounts with an accepted follow of account_id."""
    cursor = await conn.execute(
        "SELECT a.id, a.uri FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND a.domain IS NULL",
        (account_id,),
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]


async def followed_among(conn: Reader, follower_id: int, account_ids: list[int]) -> set[int]:
    """Which of these accounts `follower_id` follows (accepted follows only)."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return set()
    cursor = await conn.execute(
        # One lookup per account in follows_follower_followed (migration 0023), never a walk
        # through all of the follower's follows.
        "SELECT followed_id FROM follows WHERE follower_id = ? AND state = 'accepted'"
        f" AND followed_id IN ({', '.join('?' for _ in ids)})",
        [follower_id, *ids],
    )
    return {row[0] for row in await cursor.fetchall()}


async def states_among(conn: Reader, follower_id: int, account_ids: list[int]) -> dict[int, str]:
    """The state (accepted or pending) of `follower_id`'s follows of these accounts, by id."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        "SELECT followed_id, state FROM follows WHERE follower_id = ?"
        f" AND followed_id IN ({', '.join('?' for _ in ids)})",
        [follower_id, *ids],
    )
    return {row[0]: str(row[1]) for row in await cursor.fetchall()}
