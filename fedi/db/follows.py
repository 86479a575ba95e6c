"""SQL for the follows table: who follows whom, and the pages of followers/following collections."""

from __future__ import annotations

import sqlite3

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


async def follower_uris_page(
    conn: aiosqlite.Connection, account_id: int, max_id: int | None, limit: int
) -> list[tuple[int, str]]:
    """(follow id, follower actor URI) of accepted followers, newest first, below max_id."""
    cursor = await conn.execute(
        "SELECT f.id, a.uri FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND a.suspended_at IS NULL"
        " AND (? IS NULL OR f.id < ?) ORDER BY f.id DESC LIMIT ?",
        (account_id, max_id, max_id, limit),
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]


async def following_uris_page(
    conn: aiosqlite.Connection, account_id: int, max_id: int | None, limit: int
) -> list[tuple[int, str]]:
    """(follow id, followed actor URI) of accepted follows, newest first, below max_id."""
    cursor = await conn.execute(
        "SELECT f.id, a.uri FROM follows f JOIN accounts a ON a.id = f.followed_id"
        " WHERE f.follower_id = ? AND f.state = 'accepted' AND a.suspended_at IS NULL"
        " AND (? IS NULL OR f.id < ?) ORDER BY f.id DESC LIMIT ?",
        (account_id, max_id, max_id, limit),
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]
