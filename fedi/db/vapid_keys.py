"""SQL for vapid_keys: the instance's one VAPID key pair for Web Push (fedi.push.vapid)."""

from __future__ import annotations

from fedi.db.connection import Connection, Reader


async def current(conn: Reader) -> tuple[str, str] | None:
    """The private key (PEM) and public key (base64url), if made yet."""
    cursor = await conn.execute("SELECT private_key, public_key FROM vapid_keys WHERE id = 1")
    row = await cursor.fetchone()
    return (str(row[0]), str(row[1])) if row else None


def keep(conn: Connection, private_key: str, public_key: str, now: str) -> None:
    """Store the pair unless one is already kept (a concurrent first use keeps the first)."""
    conn.execute(
        "INSERT OR IGNORE INTO vapid_keys (id, private_key, public_key, created_at)"
        " VALUES (1, ?, ?, ?)",
        (private_key, public_key, now),
    )
