"""SQL for live streams: the facts about a post that decide who may see it, whether one account
follows another, and one notification of its owner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fedi.core.models import Visibility
from fedi.db.connection import Reader
from fedi.db.postgres import is_postgresql


@dataclass(frozen=True)
class PostFacts:
    """What deciding a post's audience needs; for a deleted post, as it was just before."""

    id: int
    account_id: int
    visibility: Visibility
    is_local: bool
    is_reblog: bool
    has_media: bool
    mentions: frozenset[int]
    tags: frozenset[str]


def _array(conn: object, column: str) -> str:
    """The JSON array of a column's values, as text."""
    if is_postgresql(conn):
        return f"CAST(coalesce(json_agg({column}), '[]') AS TEXT)"
    return f"json_group_array({column})"


async def post_facts(conn: Reader, status_id: int) -> PostFacts | None:
    cursor = await conn.execute(
        "SELECT s.account_id, s.visibility, s.is_local, s.reblog_of_id IS NOT NULL,"
        " EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = s.id),"
        f" (SELECT {_array(conn, 'account_id')} FROM mentions WHERE status_id = s.id),"
        f" (SELECT {_array(conn, 'name')} FROM status_tags WHERE status_id = s.id)"
        " FROM statuses s WHERE s.id = ?",
        (status_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    return PostFacts(
        id=status_id,
        account_id=row[0],
        visibility=row[1],
        is_local=bool(row[2]),
        is_reblog=bool(row[3]),
        has_media=bool(row[4]),
        mentions=frozenset(json.loads(row[5])),
        tags=frozenset(json.loads(row[6])),
    )


def deleted_post_facts(status_id: int, detail: dict[str, Any]) -> PostFacts:
    """The facts a deleted post's change carries (see fedi.db.changes)."""
    return PostFacts(
        id=status_id,
        account_id=int(detail["account_id"]),
        visibility=detail["visibility"],
        is_local=bool(detail["is_local"]),
        is_reblog=bool(detail["is_reblog"]),
        has_media=bool(detail["has_media"]),
        mentions=frozenset(int(x) for x in detail["mentions"]),
        tags=frozenset(str(x) for x in detail["tags"]),
    )


async def is_following(conn: Reader, follower_id: int, followed_id: int) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM follows WHERE follower_id = ? AND followed_id = ? AND state = 'accepted'",
        (follower_id, followed_id),
    )
    return await cursor.fetchone() is not None


async def token_is_live(conn: Reader, token_id: int) -> bool:
    """The token still works (fedi.db.oauth.token_by_hash's rule): not revoked, its member
    neither suspended nor unapproved."""
    cursor = await conn.execute(
        "SELECT 1 FROM oauth_tokens t JOIN accounts a ON a.id = t.account_id"
        " JOIN users u ON u.account_id = a.id WHERE t.id = ? AND t.revoked_at IS NULL"
        " AND a.suspended_at IS NULL AND u.is_approved = 1",
        (token_id,),
    )
    return await cursor.fetchone() is not None


async def notification_of(
    conn: Reader, account_id: int, notification_id: int
) -> tuple[int, str, int, int | None, str, str | None] | None:
    """(id, type, from_account_id, status_id, created_at, group_key) of one of the account's
    notifications."""
    cursor = await conn.execute(
        "SELECT id, type, from_account_id, status_id, created_at, group_key FROM notifications"
        " WHERE id = ? AND account_id = ?",
        (notification_id, account_id),
    )
    row = await cursor.fetchone()
    return (row[0], row[1], row[2], row[3], row[4], row[5]) if row else None
