"""SQL for a member's lists and their members. A member row points at the owner's follow of
that account, so ending the follow takes the account off every list (ON DELETE CASCADE)."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader, Row
from fedi.db.rows import no_limit

MAX_LISTS = 100  # per member: a bound on what one account can store


class NotFollowed(Exception):
    """An account can join a list only when its owner follows it or asked to."""


@dataclass(frozen=True)
class UserList:
    id: int
    account_id: int
    title: str
    replies_policy: str
    is_exclusive: bool


_COLUMNS = "id, account_id, title, replies_policy, is_exclusive"


def _list(row: Row | tuple[object, ...]) -> UserList:
    return UserList(int(str(row[0])), int(str(row[1])), str(row[2]), str(row[3]), bool(row[4]))


def insert_list(
    conn: Connection, owner_id: int, title: str, replies_policy: str, exclusive: bool,
    now: str,
) -> UserList:  # fmt: skip
    list_id = new_id()
    conn.execute(
        f"INSERT INTO lists ({_COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (list_id, owner_id, title, replies_policy, int(exclusive), now),
    )
    return UserList(list_id, owner_id, title, replies_policy, exclusive)


def update_list(
    conn: Connection, list_id: int, title: str, replies_policy: str, exclusive: bool
) -> None:
    conn.execute(
        "UPDATE lists SET title = ?, replies_policy = ?, is_exclusive = ? WHERE id = ?",
        (title, replies_policy, int(exclusive), list_id),
    )


def delete_list(conn: Connection, owner_id: int, list_id: int) -> int:
    return conn.execute(
        "DELETE FROM lists WHERE id = ? AND account_id = ?", (list_id, owner_id)
    ).rowcount


def count_lists(conn: Connection, owner_id: int) -> int:
    row = conn.execute("SELECT count(*) FROM lists WHERE account_id = ?", (owner_id,)).fetchone()
    return int(row[0]) if row else 0


async def get_list(conn: Reader, owner_id: int, list_id: int) -> UserList | None:
    """The list, only if owner_id owns it (another member's list does not exist for them)."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM lists WHERE id = ? AND account_id = ?", (list_id, owner_id)
    )
    row = await cursor.fetchone()
    return _list(row) if row else None


async def lists_of(conn: Reader, owner_id: int) -> list[UserList]:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM lists WHERE account_id = ? ORDER BY id", (owner_id,)
    )
    return [_list(row) for row in await cursor.fetchall()]


async def lists_containing(conn: Reader, owner_id: int, account_id: int) -> list[UserList]:
    cursor = await conn.execute(
        f"SELECT {', '.join('l.' + c.strip() for c in _COLUMNS.split(','))} FROM lists l"
        " JOIN list_accounts la ON la.list_id = l.id"
        " WHERE l.account_id = ? AND la.account_id = ? ORDER BY l.id",
        (owner_id, account_id),
    )
    return [_list(row) for row in await cursor.fetchall()]


def add_member(conn: Connection, owned: UserList, account_id: int) -> bool:
    """Add an account the owner follows or asked to follow (or the owner themself); False when
    there is no such follow."""
    follow_id: int | None = None
    if account_id != owned.account_id:
        row = conn.execute(
            "SELECT id FROM follows WHERE follower_id = ? AND followed_id = ?",
            (owned.account_id, account_id),
        ).fetchone()
        if row is None:
            return False
        follow_id = row[0]
    conn.execute(
        "INSERT OR IGNORE INTO list_accounts (id, list_id, account_id, follow_id)"
        " VALUES (?, ?, ?, ?)",
        (new_id(), owned.id, account_id, follow_id),
    )
    return True


def remove_members(conn: Connection, list_id: int, account_ids: list[int]) -> None:
    conn.executemany(
        "DELETE FROM list_accounts WHERE list_id = ? AND account_id = ?",
        [(list_id, a) for a in account_ids],
    )


async def members_page(
    conn: Reader, list_id: int, max_id: int | None, min_id: int | None, limit: int
) -> list[tuple[int, int]]:
    """(membership id, account id), newest first; limit 0 means all (Mastodon's limit=0)."""
    order = "ASC" if min_id is not None else "DESC"
    cursor = await conn.execute(
        "SELECT id, account_id FROM list_accounts WHERE list_id = ?"
        " AND (? IS NULL OR id < ?) AND (? IS NULL OR id > ?)"
        f" ORDER BY id {order} LIMIT ?",
        (list_id, max_id, max_id, min_id, min_id, limit if limit > 0 else no_limit(conn)),
    )
    found = [(r[0], r[1]) for r in await cursor.fetchall()]
    return found if order == "DESC" else found[::-1]


def exclusive_clause(viewer_id: int) -> tuple[str, list[object]]:
    """For the home timeline: posts by members of the viewer's exclusive lists appear only in
    those lists (Mastodon 4.2 `exclusive`); the viewer's own posts always stay."""
    return (
        " AND (s.account_id = ? OR s.account_id NOT IN (SELECT la.account_id FROM list_accounts la"
        " JOIN lists l ON l.id = la.list_id WHERE l.account_id = ? AND l.is_exclusive = 1))",
        [viewer_id, viewer_id],
    )
