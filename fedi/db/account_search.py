"""SQL for finding accounts by the start of their username or display name (the API's account
search and autocompletion of mentions)."""

from __future__ import annotations

import aiosqlite

from fedi.core.models import Account
from fedi.db.account_rows import ACCOUNT_COLUMNS as COLUMNS
from fedi.db.accounts import account_from_row


def _prefix(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def search(
    conn: aiosqlite.Connection,
    username: str,
    domain: str | None,
    *,
    following_of: int | None,
    limit: int,
    offset: int,
) -> list[Account]:
    """People (no instance actors, no suspended accounts, no sign-ups awaiting approval) whose
    username, or display name, starts with `username`; on `domain` if given (None: any, "" : local
    only). An exact username comes first, then local accounts, then by username."""
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM accounts a LEFT JOIN users u ON u.account_id = a.id"
        " WHERE a.actor_type != 'Application' AND a.suspended_at IS NULL"
        " AND (a.domain IS NOT NULL OR u.is_approved = 1)"
        " AND (lower(a.username) LIKE :prefix ESCAPE '\\'"
        "      OR (:domain IS NULL AND lower(a.display_name) LIKE :prefix ESCAPE '\\'))"
        " AND (:domain IS NULL OR (:domain = '' AND a.domain IS NULL) OR a.domain = :domain)"
        " AND (:me IS NULL OR EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = :me"
        "      AND f.followed_id = a.id AND f.state = 'accepted'))"
        " ORDER BY lower(a.username) = :exact DESC, a.domain IS NOT NULL, lower(a.username), a.id"
        " LIMIT :limit OFFSET :offset",
        {"prefix": _prefix(username), "exact": username.lower(), "domain": domain,
         "me": following_of, "limit": limit, "offset": offset},
    )  # fmt: skip
    return [account_from_row(row) for row in await cursor.fetchall()]
