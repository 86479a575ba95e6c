"""SQL for the hashtags members follow (tag_follows, by the tag's normal form) and for how much
a hashtag was used, day by day (Mastodon's Tag history), read from status_tags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader
from fedi.db.walk import Page, paging


@dataclass(frozen=True)
class FollowedTag:
    id: int  # the follow's id, which the member's list pages over
    name: str
    created_at: str


def follow_tag(conn: Connection, account_id: int, name: str, now: str) -> None:
    """Follow a hashtag; following it again changes nothing (Mastodon's find_or_create_by)."""
    conn.execute(
        "INSERT INTO tag_follows (id, account_id, name, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (account_id, name) DO NOTHING",
        (new_id(), account_id, name, now),
    )


def unfollow_tag(conn: Connection, account_id: int, name: str) -> None:
    conn.execute("DELETE FROM tag_follows WHERE account_id = ? AND name = ?", (account_id, name))


async def followed(conn: Reader, account_id: int, page: Page) -> list[FollowedTag]:
    """The member's followed hashtags, newest follow first, paged by the follows' ids."""
    clause, args, order = paging(page, "id")
    cursor = await conn.execute(
        f"SELECT id, name, created_at FROM tag_follows WHERE account_id = ?{clause}"
        f" ORDER BY id {order} LIMIT ?",
        (account_id, *args, page.limit),
    )
    rows = [FollowedTag(r[0], r[1], r[2]) for r in await cursor.fetchall()]
    return rows if order == "DESC" else rows[::-1]


async def following_of(conn: Reader, account_id: int, names: Iterable[str]) -> set[str]:
    """Which of these hashtags the member follows."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    marks = ", ".join("?" for _ in wanted)
    cursor = await conn.execute(
        f"SELECT name FROM tag_follows WHERE account_id = ? AND name IN ({marks})",
        (account_id, *wanted),
    )
    return {row[0] for row in await cursor.fetchall()}


@dataclass(frozen=True)
class DayOfUse:
    day: str  # YYYY-MM-DD, UTC
    uses: int  # posts carrying the tag
    accounts: int  # distinct authors of them


async def uses_since(
    conn: Reader, names: Iterable[str], since_id: int
) -> dict[str, list[DayOfUse]]:
    """For each hashtag, its public posts (boosts and local-only posts left out, as on the
    hashtag's public timeline) with ids above `since_id`, counted per day of writing; through
    the status_tags_name index."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    cursor = await conn.execute(
        "SELECT t.name, substr(s.created_at, 1, 10) AS day, count(*),"
        " count(DISTINCT s.account_id)"
        " FROM status_tags t CROSS JOIN statuses s ON s.id = t.status_id"
        f" WHERE t.name IN ({marks}) AND t.status_id > ? AND s.visibility = 'public'"
        " AND s.reblog_of_id IS NULL AND s.is_local_only = 0 GROUP BY t.name, day",
        (*wanted, since_id),
    )
    found: dict[str, list[DayOfUse]] = {}
    for row in await cursor.fetchall():
        found.setdefault(row[0], []).append(DayOfUse(row[1], row[2], row[3]))
    return found
