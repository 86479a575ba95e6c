"""SQL for mail_tokens: the links sent by mail (confirm an address, reset a password,
unsubscribe), kept as SHA-256 digests only."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.db.connection import Connection, Reader


@dataclass(frozen=True)
class MailToken:
    account_id: int
    purpose: str
    detail: str
    expires_at: str


def insert(
    conn: Connection,
    digest: str,
    account_id: int,
    purpose: str,
    detail: str,
    expires_at: str,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO mail_tokens (digest, account_id, purpose, detail, expires_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (digest, account_id, purpose, detail, expires_at, now),
    )


def delete_for(conn: Connection, account_id: int, purpose: str) -> None:
    """Every token of this purpose for the member: a new one replaces the old, and one use
    ends them all."""
    conn.execute(
        "DELETE FROM mail_tokens WHERE account_id = ? AND purpose = ?", (account_id, purpose)
    )


def take(conn: Connection, digest: str, purpose: str, now: str) -> MailToken | None:
    """A one-use token, removed as it is read; None when unknown, of another purpose or
    expired."""
    row = conn.execute(
        "DELETE FROM mail_tokens WHERE digest = ? AND purpose = ?"
        " RETURNING account_id, purpose, detail, expires_at",
        (digest, purpose),
    ).fetchone()
    if row is None or row[3] <= now:
        return None
    return MailToken(row[0], row[1], row[2], row[3])


async def find(conn: Reader, digest: str, purpose: str, now: str) -> MailToken | None:
    """A token still valid, left in place (a page that shows its form before it is used)."""
    cursor = await conn.execute(
        "SELECT account_id, purpose, detail, expires_at FROM mail_tokens"
        " WHERE digest = ? AND purpose = ? AND expires_at > ?",
        (digest, purpose, now),
    )
    row = await cursor.fetchone()
    return MailToken(row[0], row[1], row[2], row[3]) if row else None


def delete_expired(conn: Connection, now: str) -> int:
    return conn.execute("DELETE FROM mail_tokens WHERE expires_at <= ?", (now,)).rowcount
