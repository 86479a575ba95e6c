"""SQL for what a page shows beside each status, for many statuses at once: how often each was
favourited, boosted and answered, and what the viewer did to each (favourited, boosted,
bookmarked, pinned, voted). One statement each, whatever the number of statuses."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite


def _ids(status_ids: Iterable[int]) -> tuple[list[int], str]:
    ids = list(dict.fromkeys(status_ids))
    return ids, ", ".join("?" for _ in ids)


async def _counted(conn: aiosqlite.Connection, sql: str, args: list[object]) -> dict[int, int]:
    cursor = await conn.execute(sql, args)
    return {row[0]: row[1] for row in await cursor.fetchall()}


async def favourite_counts(conn: aiosqlite.Connection, status_ids: Iterable[int]) -> dict[int, int]:
    ids, marks = _ids(status_ids)
    if not ids:
        return {}
    return await _counted(
        conn,
        f"SELECT status_id, count(*) FROM favourites WHERE status_id IN ({marks})"
        " GROUP BY status_id",
        [*ids],
    )


async def reblog_counts(conn: aiosqlite.Connection, status_ids: Iterable[int]) -> dict[int, int]:
    ids, marks = _ids(status_ids)
    if not ids:
        return {}
    return await _counted(
        conn,
        f"SELECT reblog_of_id, count(*) FROM statuses WHERE reblog_of_id IN ({marks})"
        " GROUP BY reblog_of_id",
        [*ids],
    )


async def reply_counts(
    conn: aiosqlite.Connection, status_ids: Iterable[int], *, with_local_only: bool
) -> dict[int, int]:
    """Public and unlisted replies (local-only ones too with_local_only), as
    fedi.db.statuses.count_replies counts them."""
    ids, marks = _ids(status_ids)
    if not ids:
        return {}
    return await _counted(
        conn,
        f"SELECT in_reply_to_id, count(*) FROM statuses WHERE in_reply_to_id IN ({marks})"
        " AND visibility IN ('public', 'unlisted') AND (? OR is_local_only = 0)"
        " GROUP BY in_reply_to_id",
        [*ids, int(with_local_only)],
    )


async def _among(conn: aiosqlite.Connection, sql: str, args: list[object]) -> set[int]:
    cursor = await conn.execute(sql, args)
    return {row[0] for row in await cursor.fetchall()}


async def favourited_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    ids, marks = _ids(status_ids)
    if not ids:
        return set()
    return await _among(
        conn,
        f"SELECT status_id FROM favourites WHERE account_id = ? AND status_id IN ({marks})",
        [account_id, *ids],
    )


async def reblogged_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    ids, marks = _ids(status_ids)
    if not ids:
        return set()
    return await _among(
        conn,
        # `+account_id`: look each post's boosts up (statuses_reblog), never walk all of the
        # viewer's statuses.
        f"SELECT reblog_of_id FROM statuses WHERE +account_id = ? AND reblog_of_id IN ({marks})",
        [account_id, *ids],
    )


async def bookmarked_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    ids, marks = _ids(status_ids)
    if not ids:
        return set()
    return await _among(
        conn,
        f"SELECT status_id FROM bookmarks WHERE account_id = ? AND status_id IN ({marks})",
        [account_id, *ids],
    )


async def pinned_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    ids, marks = _ids(status_ids)
    if not ids:
        return set()
    return await _among(
        conn,
        f"SELECT status_id FROM status_pins WHERE account_id = ? AND status_id IN ({marks})",
        [account_id, *ids],
    )


async def poll_choices_of(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The options the viewer chose in each of these polls (those they voted in), in order."""
    ids, marks = _ids(status_ids)
    if not ids:
        return {}
    cursor = await conn.execute(
        f"SELECT status_id, choice FROM poll_votes WHERE account_id = ? AND status_id IN ({marks})"
        " ORDER BY status_id, choice",
        [account_id, *ids],
    )
    found: dict[int, list[int]] = {}
    for row in await cursor.fetchall():
        found.setdefault(row[0], []).append(int(row[1]))
    return found
