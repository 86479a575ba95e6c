"""SQL for timelines: a member's home (what they follow, and what is addressed to them) and the
public timelines, paged by id as Mastodon pages them (max_id, since_id, min_id)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from fedi.db.statuses import COLUMNS, status_from_row
from fedi.models import Status


@dataclass(frozen=True)
class Page:
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = 20


def paging(page: Page, column: str = "s.id") -> tuple[str, list[int | None], str]:
    """The WHERE clause (to append after a condition), its arguments and the order for a page
    over `column`."""
    clause = f" AND (? IS NULL OR {column} < ?) AND (? IS NULL OR {column} > ?)"
    lower = page.min_id if page.min_id is not None else page.since_id
    order = "ASC" if page.min_id is not None else "DESC"  # min_id: the page just above it
    return clause, [page.max_id, page.max_id, lower, lower], order


async def home(conn: aiosqlite.Connection, account_id: int, page: Page) -> list[Status]:
    clause, args, order = paging(page)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE ("
        "   s.account_id = ?"
        "   OR (s.account_id IN (SELECT followed_id FROM follows"
        "         WHERE follower_id = ? AND state = 'accepted')"
        "       AND s.visibility IN ('public', 'unlisted', 'private'))"
        "   OR s.id IN (SELECT status_id FROM mentions WHERE account_id = ?)"
        f"){clause} ORDER BY s.id {order} LIMIT ?",
        (account_id, account_id, account_id, *args, page.limit),
    )
    rows = [status_from_row(row) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def public(conn: aiosqlite.Connection, local: bool | None, page: Page) -> list[Status]:
    clause, args, order = paging(page)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM statuses s WHERE s.visibility = 'public'"
        " AND s.reblog_of_id IS NULL AND (? IS NULL OR s.is_local = ?)"
        f"{clause} ORDER BY s.id {order} LIMIT ?",
        (None if local is None else int(local), None if local is None else int(local), *args,
         page.limit),
    )  # fmt: skip
    rows = [status_from_row(row) for row in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]
