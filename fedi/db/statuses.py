"""SQL for the statuses table: inserting local posts and paging an author's public posts."""

from __future__ import annotations

import sqlite3

import aiosqlite

from fedi.db.rows import opt_time
from fedi.models import Status, Visibility
from fedi.timeutil import from_db

_COLUMNS = (
    "id, uri, url, account_id, visibility, content, spoiler_text, is_sensitive, language,"
    " in_reply_to_uri, created_at, edited_at"
)
# What anyone, signed in or not, may see of an author: Mastodon's public and unlisted.
PUBLIC_VISIBILITIES: tuple[Visibility, ...] = ("public", "unlisted")


def status_from_row(row: sqlite3.Row) -> Status:
    visibility: Visibility = row["visibility"]
    return Status(
        id=row["id"],
        uri=row["uri"],
        url=row["url"],
        account_id=row["account_id"],
        visibility=visibility,
        content=row["content"],
        spoiler_text=row["spoiler_text"],
        is_sensitive=bool(row["is_sensitive"]),
        language=row["language"],
        in_reply_to_uri=row["in_reply_to_uri"],
        created_at=from_db(row["created_at"]),
        edited_at=opt_time(row["edited_at"]),
    )


def insert_local_status(
    conn: sqlite3.Connection,
    *,
    status_id: int,
    uri: str,
    url: str,
    account_id: int,
    visibility: Visibility,
    content: str,
    source_text: str,
    spoiler_text: str,
    language: str | None,
    created_at: str,
) -> None:
    conn.execute(
        "INSERT INTO statuses (id, uri, url, account_id, visibility, content, source_text,"
        " spoiler_text, is_sensitive, language, is_local, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (
            status_id, uri, url, account_id, visibility, content, source_text,
            spoiler_text, int(bool(spoiler_text)), language, created_at,
        ),
    )  # fmt: skip


async def public_page(
    conn: aiosqlite.Connection, account_id: int, max_id: int | None, limit: int
) -> list[Status]:
    """An author's own public and unlisted posts (no boosts), newest first, below max_id."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM statuses WHERE account_id = ? AND reblog_of_id IS NULL"
        " AND visibility IN ('public', 'unlisted') AND (? IS NULL OR id < ?)"
        " ORDER BY id DESC LIMIT ?",
        (account_id, max_id, max_id, limit),
    )
    return [status_from_row(row) for row in await cursor.fetchall()]


async def count_public(conn: aiosqlite.Connection, account_id: int) -> int:
    cursor = await conn.execute(
        "SELECT count(*) FROM statuses WHERE account_id = ? AND reblog_of_id IS NULL"
        " AND visibility IN ('public', 'unlisted')",
        (account_id,),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def get_public(conn: aiosqlite.Connection, account_id: int, status_id: int) -> Status | None:
    """One of an author's own public or unlisted posts."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM statuses WHERE id = ? AND account_id = ?"
        " AND reblog_of_id IS NULL AND visibility IN ('public', 'unlisted')",
        (status_id, account_id),
    )
    row = await cursor.fetchone()
    return status_from_row(row) if row else None


async def pinned_public(conn: aiosqlite.Connection, account_id: int, limit: int) -> list[Status]:
    cursor = await conn.execute(
        f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))}"
        " FROM status_pins p JOIN statuses s ON s.id = p.status_id"
        " WHERE p.account_id = ? AND s.account_id = ? AND s.visibility IN ('public', 'unlisted')"
        " ORDER BY p.created_at DESC LIMIT ?",
        (account_id, account_id, limit),
    )
    return [status_from_row(row) for row in await cursor.fetchall()]


def pin(conn: sqlite3.Connection, account_id: int, status_id: int, created_at: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO status_pins (account_id, status_id, created_at) VALUES (?, ?, ?)",
        (account_id, status_id, created_at),
    )


async def get_by_id(conn: aiosqlite.Connection, status_id: int) -> Status | None:
    cursor = await conn.execute(f"SELECT {_COLUMNS} FROM statuses WHERE id = ?", (status_id,))
    row = await cursor.fetchone()
    return status_from_row(row) if row else None
