"""SQL for favourites, blocks, notifications and the inboxes of accounts."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader
from fedi.db.notifications import Row, group_key_for


def add_favourite(
    conn: Connection, account_id: int, status_id: int, uri: str | None, now: str
) -> bool:
    cursor = conn.execute(
        "INSERT OR IGNORE INTO favourites (id, account_id, status_id, uri, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (new_id(), account_id, status_id, uri, now),
    )
    return cursor.rowcount == 1


def remove_favourite(conn: Connection, account_id: int, status_id: int) -> int:
    return conn.execute(
        "DELETE FROM favourites WHERE account_id = ? AND status_id = ?", (account_id, status_id)
    ).rowcount


async def favourite_by_uri(conn: Reader, uri: str) -> tuple[int, int] | None:
    """(account_id, status_id) of the Like with this id."""
    cursor = await conn.execute(
        "SELECT account_id, status_id FROM favourites WHERE uri = ?", (uri,)
    )
    row = await cursor.fetchone()
    return (row[0], row[1]) if row else None


async def favourite_uri(conn: Reader, account_id: int, status_id: int) -> str | None:
    cursor = await conn.execute(
        "SELECT uri FROM favourites WHERE account_id = ? AND status_id = ?",
        (account_id, status_id),
    )
    row = await cursor.fetchone()
    return str(row[0]) if row and row[0] else None


async def count_favourites(conn: Reader, status_id: int) -> int:
    cursor = await conn.execute("SELECT count(*) FROM favourites WHERE status_id = ?", (status_id,))
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


def add_block(conn: Connection, account_id: int, target_id: int, uri: str | None, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO blocks (id, account_id, target_account_id, uri, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (new_id(), account_id, target_id, uri, now),
    )
    # Blocking ends follows in both directions, as on Mastodon.
    conn.execute(
        "DELETE FROM follows WHERE (follower_id = ? AND followed_id = ?)"
        " OR (follower_id = ? AND followed_id = ?)",
        (account_id, target_id, target_id, account_id),
    )


def remove_block(conn: Connection, account_id: int, target_id: int) -> int:
    return conn.execute(
        "DELETE FROM blocks WHERE account_id = ? AND target_account_id = ?",
        (account_id, target_id),
    ).rowcount


async def is_blocked(conn: Reader, blocker_id: int, target_id: int) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM blocks WHERE account_id = ? AND target_account_id = ?",
        (blocker_id, target_id),
    )
    return await cursor.fetchone() is not None


async def block_uri(conn: Reader, blocker_id: int, target_id: int) -> str | None:
    cursor = await conn.execute(
        "SELECT uri FROM blocks WHERE account_id = ? AND target_account_id = ?",
        (blocker_id, target_id),
    )
    row = await cursor.fetchone()
    return str(row[0]) if row and row[0] else None


def notify(
    conn: Connection,
    account_ids: Iterable[int],
    kind: str,
    from_account_id: int,
    status_id: int | None,
    now: str,
) -> None:
    """Notify local accounts (remote ids are skipped), never of their own actions; a favourite,
    boost or follow joins its group (fedi.db.notifications.group_key_for)."""
    targets = [a for a in dict.fromkeys(account_ids) if a != from_account_id]
    if not targets:
        return
    marks = ", ".join("?" for _ in targets)
    local = conn.execute(
        f"SELECT id FROM accounts WHERE domain IS NULL AND id IN ({marks})",
        targets,
    ).fetchall()
    conn.executemany(
        "INSERT INTO notifications (id, account_id, type, from_account_id, status_id,"
        " created_at, group_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(new_id(), row[0], kind, from_account_id, status_id, now,
          group_key_for(conn, row[0], kind, status_id, now)) for row in local],
    )  # fmt: skip


async def notifications_of(conn: Reader, account_id: int) -> list[tuple[str, int]]:
    """(type, from_account_id) of an account's notifications, oldest first."""
    cursor = await conn.execute(
        "SELECT type, from_account_id FROM notifications WHERE account_id = ? ORDER BY id",
        (account_id,),
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]


async def inboxes_of(conn: Reader, account_ids: Iterable[int]) -> list[str]:
    """The preferred inbox (shared when there is one) of each remote account."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    cursor = await conn.execute(
        "SELECT DISTINCT COALESCE(shared_inbox_uri, inbox_uri) FROM accounts"
        f" WHERE domain IS NOT NULL AND suspended_at IS NULL AND id IN ({marks})",
        ids,
    )
    return [row[0] for row in await cursor.fetchall() if row[0]]


async def notifications_page(
    conn: Reader,
    account_id: int,
    max_id: int | None,
    min_id: int | None,
    limit: int,
    types: list[str],
    exclude: list[str],
    hidden: tuple[str, list[object]] = ("", []),
    from_account_id: int | None = None,
) -> list[Row]:
    """(id, type, from_account_id, status_id, created_at, group_key), newest first; `hidden` is
    an extra SQL condition (fedi.db.mutes.hidden_sender_clause)."""
    cursor = await conn.execute(
        "SELECT id, type, from_account_id, status_id, created_at, group_key FROM notifications"
        " WHERE account_id = ? AND (? IS NULL OR id < ?) AND (? IS NULL OR id > ?)"
        " AND (? = '' OR instr(?, ',' || type || ',') > 0) AND (? IS NULL OR from_account_id = ?)"
        f" AND instr(?, ',' || type || ',') = 0{hidden[0]} ORDER BY id DESC LIMIT ?",
        (account_id, max_id, max_id, min_id, min_id, ",".join(types),
         f",{','.join(types)},", from_account_id, from_account_id,
         f",{','.join(exclude)},", *hidden[1], limit),
    )  # fmt: skip
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in await cursor.fetchall()]


def dismiss_notification(conn: Connection, account_id: int, notification_id: int) -> int:
    return conn.execute(
        "DELETE FROM notifications WHERE id = ? AND account_id = ?", (notification_id, account_id)
    ).rowcount


def clear_notifications(conn: Connection, account_id: int) -> None:
    conn.execute("DELETE FROM notifications WHERE account_id = ?", (account_id,))


async def favourited_by(conn: Reader, status_id: int, limit: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT account_id FROM favourites WHERE status_id = ? ORDER BY id DESC LIMIT ?",
        (status_id, limit),
    )
    return [row[0] for row in await cursor.fetchall()]
