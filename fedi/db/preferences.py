"""SQL for members' posting defaults (visibility, sensitive media, language)."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.models import Visibility
from fedi.db.connection import Connection, Reader


@dataclass(frozen=True)
class PostingDefaults:
    visibility: Visibility = "public"
    sensitive: bool = False
    language: str | None = None


async def posting_defaults(conn: Reader, account_id: int) -> PostingDefaults:
    cursor = await conn.execute(
        "SELECT visibility, sensitive, language FROM posting_preferences WHERE account_id = ?",
        (account_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        return PostingDefaults()
    visibility: Visibility = row[0]
    return PostingDefaults(visibility, bool(row[1]), row[2])


def set_posting_defaults(conn: Connection, account_id: int, defaults: PostingDefaults) -> None:
    conn.execute(
        "INSERT INTO posting_preferences (account_id, visibility, sensitive, language)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
        " visibility = excluded.visibility, sensitive = excluded.sensitive,"
        " language = excluded.language",
        (account_id, defaults.visibility, int(defaults.sensitive), defaults.language),
    )
