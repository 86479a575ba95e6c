"""SQL for the sessions table: web sign-in sessions, looked up by the hash of their token."""

from __future__ import annotations

import sqlite3

import aiosqlite

from fedi.core.models import User
from fedi.db.users import USER_COLUMNS, user_from_row


def insert(
    conn: sqlite3.Connection,
    *,
    session_id: int,
    token_hash: str,
    account_id: int,
    user_agent: str,
    ip: str,
    created_at: str,
) -> None:
    conn.execute(
        "INSERT INTO sessions (id, token_hash, account_id, user_agent, ip, created_at,"
        " last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (session_id, token_hash, account_id, user_agent[:300], ip, created_at, created_at),
    )


def delete(conn: sqlite3.Connection, token_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


def delete_for_account(conn: sqlite3.Connection, account_id: int) -> int:
    return conn.execute("DELETE FROM sessions WHERE account_id = ?", (account_id,)).rowcount


async def user_for(conn: aiosqlite.Connection, token_hash: str, not_before: str) -> User | None:
    """The member this session signs in, if it is recent and they are in good standing."""
    cursor = await conn.execute(
        f"SELECT {USER_COLUMNS} FROM sessions s JOIN accounts a ON a.id = s.account_id"
        " JOIN users u ON u.account_id = a.id"
        " WHERE s.token_hash = ? AND s.created_at >= ? AND a.suspended_at IS NULL"
        " AND u.is_approved = 1",
        (token_hash, not_before),
    )
    row = await cursor.fetchone()
    return user_from_row(row) if row else None


async def count_for_account(conn: aiosqlite.Connection, account_id: int) -> int:
    cursor = await conn.execute("SELECT count(*) FROM sessions WHERE account_id = ?", (account_id,))
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
