"""SQL for members' posting defaults (visibility, sensitive media, language)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import aiosqlite

from fedi.core.models import Visibility


@dataclass(frozen=True)
class PostingDefaults:
    visibility: Visibility = "public"
    sensitive: bool = False
    language: str | None = None


async def posting_defaults(conn: aiosqlite.Connection, account_id: int) -> PostingDefaults:
    cursor = await conn.execute(
        "SELECT visibility, sensitive, language FROM posting_preferences WHERE account_id = ?",
        (account_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        return PostingDefaults()
    visibility: Visibility = row[0]
    return PostingDefaults(visibility, bool(row[1]), row[2])


def set_posting_defaults(
    conn: sqlite3.Connection, account_id: int, defaults: PostingDefaults
) -> None:
    conn.execute(
        "INSERT INTO posting_preferences (account_id, visibility, sensitive, language)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
        " visibility = excluded.visibility, sensitive = excluded.sensitive,"
        " language = excluded.language",
        (account_id, defaults.visibility, int(defaults.sensitive), defaults.language),
    )
