"""The home timeline read through the member's feed (migration 0039): the feed's rows, newest
first through its primary key, each checked against the home's exact condition and the member's
rules, so that a page costs its own rows whatever the instance holds. The feed is complete above
the member's floor; a page reaching below it is finished by the statuses walk (fedi.db.walk)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fedi.core.models import Status
from fedi.db.connection import Connection, Reader
from fedi.db.status_rows import KEYS, versioned
from fedi.db.walk import Bounds, Page, Sql

Older = Callable[[Page], Awaitable[list[Status]]]

# What followers see (not direct messages); public posts, boosts excluded, walked through their
# partial indexes (migration 0021). Shared with fedi.db.timelines.
FOLLOWERS_SEE = "s.visibility IN ('public', 'unlisted', 'private')"
PUBLIC = "s.visibility = 'public' AND s.reblog_of_id IS NULL"


def belongs(account_id: int) -> Sql:
    """The home's condition for one row `s`, through an index each: one's own post, a post of
    an account one follows (not a direct message), a post mentioning one, or a public post
    (not a boost) carrying a hashtag one follows."""
    return (
        "(s.account_id = ?"
        f" OR ({FOLLOWERS_SEE} AND EXISTS (SELECT 1 FROM follows hf WHERE hf.follower_id = ?"
        "      AND hf.followed_id = s.account_id AND hf.state = 'accepted'))"
        " OR EXISTS (SELECT 1 FROM mentions hm WHERE hm.status_id = s.id AND hm.account_id = ?)"
        f" OR ({PUBLIC} AND EXISTS (SELECT 1 FROM status_tags ht"
        "      JOIN tag_follows htf ON htf.name = ht.name AND htf.account_id = ?"
        "      WHERE ht.status_id = s.id)))",
        [account_id] * 4,
    )


async def floor_of(conn: Reader, account_id: int) -> int | None:
    """The id above which the member's feed is complete; None for an account without a feed
    (not a member of this instance)."""
    cursor = await conn.execute("SELECT floor FROM home_floors WHERE account_id = ?", (account_id,))
    row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def _feed_rows(
    conn: Reader, account_id: int, rules: Sql, bounds: Bounds, limit: int
) -> list[Status]:
    """Up to `limit` rows of the feed inside `bounds`, in the bounds' order."""
    member, member_args = belongs(account_id)
    within, within_args = bounds.on("h.status_id")
    cursor = await conn.execute(
        f"SELECT {KEYS} FROM home_feed h CROSS JOIN statuses s ON s.id = h.status_id"
        f" WHERE h.account_id = ? AND {member}{rules[0]}{within}"
        f" ORDER BY h.status_id {bounds.order} LIMIT ?",
        [account_id, *member_args, *rules[1], *within_args, limit],
    )
    return await versioned(conn, await cursor.fetchall())


async def read(
    conn: Reader,
    account_id: int,
    page: Page,
    floor: int,
    rules: Sql,
    older: Older,
) -> list[Status]:
    """One home page, newest first, as Mastodon pages it (max_id, since_id, min_id): the rows
    above the floor from the feed, those at or below it from `older`."""
    top = floor + 1  # as an exclusive upper bound: the ids at or below the floor
    if page.min_id is None:
        lower = page.since_id or 0
        found: list[Status] = []
        if page.max_id is None or page.max_id > top:
            bounds = Bounds(page.max_id, max(lower, floor), "DESC")
            found = await _feed_rows(conn, account_id, rules, bounds, page.limit)
            if len(found) == page.limit or lower >= floor:
                return found
        below = top if page.max_id is None else min(page.max_id, top)
        rest = Page(max_id=below, since_id=page.since_id, limit=page.limit - len(found))
        return found + await older(rest)
    # min_id: the page just above it, oldest first, returned newest first.
    low: list[Status] = []
    if page.min_id < floor:
        below = top if page.max_id is None else min(page.max_id, top)
        low = await older(Page(max_id=below, min_id=page.min_id, limit=page.limit))
        if len(low) == page.limit or (page.max_id is not None and page.max_id <= top):
            return low
    bounds = Bounds(page.max_id, max(page.min_id, floor), "ASC")
    high = await _feed_rows(conn, account_id, rules, bounds, page.limit - len(low))
    return high[::-1] + low


def trimmed(conn: Connection, account_id: int, keep: int) -> int:
    """Keep the member's `keep` newest feed rows: the floor rises to the newest row dropped, so
    the feed stays complete above it (pages below read the statuses, as Mastodon regenerates a
    feed past its 800 items). Returns how many rows went."""
    row = conn.execute(
        "SELECT status_id FROM home_feed WHERE account_id = ?"
        " ORDER BY status_id DESC LIMIT 1 OFFSET ?",
        (account_id, keep),
    ).fetchone()
    if row is None:
        return 0
    floor = int(row[0])
    conn.execute(
        "UPDATE home_floors SET floor = max(floor, ?) WHERE account_id = ?", (floor, account_id)
    )
    return conn.execute(
        "DELETE FROM home_feed WHERE account_id = ? AND status_id <= ?", (account_id, floor)
    ).rowcount


async def members_above(conn: Reader, keep: int, after: int, limit: int) -> list[int]:
    """Up to `limit` members (by id, after `after`) whose feeds hold more than `keep` rows."""
    cursor = await conn.execute(
        "SELECT h.account_id FROM home_floors h WHERE h.account_id > ? AND EXISTS"
        " (SELECT 1 FROM home_feed f WHERE f.account_id = h.account_id"
        "  ORDER BY f.status_id DESC LIMIT 1 OFFSET ?) ORDER BY h.account_id LIMIT ?",
        (after, keep, limit),
    )
    return [int(row[0]) for row in await cursor.fetchall()]
