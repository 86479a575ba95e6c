"""SQL for the follows table: who follows whom, and the pages of followers/following collections."""

from __future__ import annotations

import sqlite3
from typing import Literal

import aiosqlite


def insert_follow(
    conn: sqlite3.Connection,
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
        " AND (? IS NULL OR f.id < ?) ORDER BY f.id DESC LIMIT ?"
    ),
    "following": (
        "SELECT f.id, a.uri FROM follows f JOIN accounts a ON a.id = f.followed_id"
        " WHERE f.follower_id = ? AND f.state = 'accepted' AND a.suspended_at IS NULL"
        " AND (? IS NULL OR f.id < ?) ORDER BY f.id DESC LIMIT ?"
    ),
}


async def actor_uris_page(
    conn: aiosqlite.Connection,
    account_id: int,
    side: Literal["followers", "following"],
    max_id: int | None,
    limit: int,
) -> list[tuple[int, str]]:
    """(follow id, actor URI) of an account's accepted followers or followed accounts, newest
    first, below max_id."""
    cursor = await conn.execute(_PAGE_SQL[side], (account_id, max_id, max_id, limit))
    return [(row[0], row[1]) for row in await cursor.fetchall()]
