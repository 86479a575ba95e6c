"""SQL for what a page shows beside each status, for many statuses at once: how often each was
favourited, boosted and answered (one statement), and what the viewer did to each (favourited,
boosted, bookmarked, pinned: one statement; voted: one more), whatever the number of statuses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import aiosqlite


@dataclass(frozen=True)
class StatusCounts:
    favourites: dict[int, int] = field(default_factory=dict)
    reblogs: dict[int, int] = field(default_factory=dict)
    replies: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ViewerDid:
    favourited: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    bookmarked: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()


def _marks(ids: list[int]) -> str:
    return ", ".join("?" for _ in ids)


async def counts_of(
    conn: aiosqlite.Connection, status_ids: Iterable[int], *, with_local_only: bool
) -> StatusCounts:
    """Favourites, boosts, and public and unlisted replies (local-only ones too
    with_local_only, as fedi.db.statuses.count_replies counts them), by status id."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return StatusCounts()
    marks = _marks(ids)
    cursor = await conn.execute(
        f"SELECT 0, status_id, count(*) FROM favourites WHERE status_id IN ({marks})"
        " GROUP BY status_id"
        f" UNION ALL SELECT 1, reblog_of_id, count(*) FROM statuses WHERE reblog_of_id IN ({marks})"
        " GROUP BY reblog_of_id"
        " UNION ALL SELECT 2, in_reply_to_id, count(*) FROM statuses"
        f" WHERE in_reply_to_id IN ({marks}) AND visibility IN ('public', 'unlisted')"
        " AND (? OR is_local_only = 0) GROUP BY in_reply_to_id",
        [*ids, *ids, *ids, int(with_local_only)],
    )
    found: tuple[dict[int, int], dict[int, int], dict[int, int]] = ({}, {}, {})
    for kind, status_id, count in await cursor.fetchall():
        found[kind][status_id] = count
    return StatusCounts(*found)


async def viewer_did(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> ViewerDid:
    """Which of these statuses the viewer favourited, boosted, bookmarked and pinned."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return ViewerDid()
    marks = _marks(ids)
    # `+account_id` on statuses: look each post's boosts up (statuses_reblog), never walk all
    # of the viewer's statuses.
    cursor = await conn.execute(
        f"SELECT 0, status_id FROM favourites WHERE account_id = ? AND status_id IN ({marks})"
        " UNION ALL SELECT 1, reblog_of_id FROM statuses"
        f" WHERE +account_id = ? AND reblog_of_id IN ({marks})"
        " UNION ALL SELECT 2, status_id FROM bookmarks"
        f" WHERE account_id = ? AND status_id IN ({marks})"
        " UNION ALL SELECT 3, status_id FROM status_pins"
        f" WHERE account_id = ? AND status_id IN ({marks})",
        [account_id, *ids, account_id, *ids, account_id, *ids, account_id, *ids],
    )
    found: tuple[set[int], set[int], set[int], set[int]] = (set(), set(), set(), set())
    for kind, status_id in await cursor.fetchall():
        found[kind].add(status_id)
    return ViewerDid(*(frozenset(f) for f in found))


async def poll_choices_of(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The options the viewer chose in each of these polls (those they voted in), in order."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        "SELECT status_id, choice FROM poll_votes WHERE account_id = ?"
        f" AND status_id IN ({_marks(ids)}) ORDER BY status_id, choice",
        [account_id, *ids],
    )
    found: dict[int, list[int]] = {}
    for status_id, choice in await cursor.fetchall():
        found.setdefault(status_id, []).append(choice)
    return found
