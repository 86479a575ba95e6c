"""SQL for the sessions table: web sign-in sessions, looked up by the hash of their token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fedi.core.models import User
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader
from fedi.db.users import USER_COLUMNS, user_from_row


@dataclass(frozen=True)
class OpenSession:
    """A member's signed-in browser, as their settings list it."""

    id: int
    token_hash: str
    user_agent: str
    ip: str
    created_at: datetime


def insert(
    conn: Connection,
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


def delete(conn: Connection, token_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


def delete_for_account(conn: Connection, account_id: int) -> int:
    return conn.execute("DELETE FROM sessions WHERE account_id = ?", (account_id,)).rowcount


async def user_for(conn: Reader, token_hash: str, not_before: str) -> User | None:
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


async def count_for_account(conn: Reader, account_id: int) -> int:
    cursor = await conn.execute("SELECT count(*) FROM sessions WHERE account_id = ?", (account_id,))
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def list_for_account(conn: Reader, account_id: int, not_before: str) -> list[OpenSession]:
    """The member's sessions that still sign them in, newest first."""
    cursor = await conn.execute(
        "SELECT id, token_hash, user_agent, ip, created_at FROM sessions"
        " WHERE account_id = ? AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT 200",
        (account_id, not_before),
    )
    return [
        OpenSession(row["id"], row["token_hash"], row["user_agent"], row["ip"],
                    from_db(row["created_at"]))
        for row in await cursor.fetchall()
    ]  # fmt: skip


def delete_by_id(conn: Connection, session_id: int, account_id: int) -> int:
    """End one of the member's own sessions (another member's id changes nothing)."""
    return conn.execute(
        "DELETE FROM sessions WHERE id = ? AND account_id = ?", (session_id, account_id)
    ).rowcount
