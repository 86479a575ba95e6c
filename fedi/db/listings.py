"""SQL for the lists a member pages through in the order things happened to them: bookmarks,
favourites, blocks, follow requests, followers and following. Each row comes with the id of the
bookmark, favourite, block or follow that put it there, because that id, not the id of the post
or account it points to, is what `max_id`/`min_id` page over (as Mastodon pages these lists)."""

from __future__ import annotations

from typing import Literal

from fedi.core.models import Account, Status
from fedi.db.accounts import ACCOUNT_COLUMNS, account_from_row
from fedi.db.connection import Reader
from fedi.db.statuses import COLUMNS, status_from_row
from fedi.db.timelines import Page, paging

Side = Literal["followers", "following", "requests"]

# For each side: the follows row that links the member to the account listed.
_FOLLOW_SIDES: dict[Side, tuple[str, str, str]] = {
    "followers": ("f.followed_id", "f.follower_id", "accepted"),
    "following": ("f.follower_id", "f.followed_id", "accepted"),
    "requests": ("f.followed_id", "f.follower_id", "pending"),
}


async def _statuses(
    conn: Reader, table: str, account_id: int, page: Page
) -> list[tuple[int, Status]]:
    clause, args, order = paging(page, "x.id")
    cursor = await conn.execute(
        f"SELECT x.id AS listed_id, {COLUMNS} FROM {table} x JOIN statuses s ON s.id = x.status_id"
        f" WHERE x.account_id = ?{clause} ORDER BY x.id {order} LIMIT ?",
        (account_id, *args, page.limit),
    )
    rows = [(row["listed_id"], status_from_row(row)) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def bookmarks(conn: Reader, account_id: int, page: Page) -> list[tuple[int, Status]]:
    return await _statuses(conn, "bookmarks", account_id, page)


async def favourites(conn: Reader, account_id: int, page: Page) -> list[tuple[int, Status]]:
    return await _statuses(conn, "favourites", account_id, page)


async def blocked(conn: Reader, account_id: int, page: Page) -> list[tuple[int, Account]]:
    clause, args, order = paging(page, "b.id")
    cursor = await conn.execute(
        f"SELECT b.id AS listed_id, {ACCOUNT_COLUMNS} FROM blocks b"
        " JOIN accounts a ON a.id = b.target_account_id"
        f" WHERE b.account_id = ?{clause} ORDER BY b.id {order} LIMIT ?",
        (account_id, *args, page.limit),
    )
    rows = [(row["listed_id"], account_from_row(row)) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def follows(
    conn: Reader, account_id: int, side: Side, page: Page
) -> list[tuple[int, Account]]:
    """The accounts on one side of an account's follows (suspended ones left out)."""
    own, other, state = _FOLLOW_SIDES[side]
    clause, args, order = paging(page, "f.id")
    cursor = await conn.execute(
        f"SELECT f.id AS listed_id, {ACCOUNT_COLUMNS} FROM follows f"
        f" JOIN accounts a ON a.id = {other}"
        f" WHERE {own} = ? AND f.state = ? AND a.suspended_at IS NULL{clause}"
        f" ORDER BY f.id {order} LIMIT ?",
        (account_id, state, *args, page.limit),
    )
    rows = [(row["listed_id"], account_from_row(row)) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]
