"""SQL for what a page shows beside each status, for many statuses at once: how often each was
favourited, boosted and answered, and what the viewer did to each (favourited, boosted,
bookmarked, pinned, voted). One statement each, whatever the number of statuses."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite


async def _rows(
    conn: aiosqlite.Connection, sql: str, before: tuple[object, ...], status_ids: Iterable[int],
    after: tuple[object, ...] = (),
) -> list[tuple[int, ...]]:  # fmt: skip
    """The rows of `sql`, whose `{marks}` stands for the statuses' ids (none: no statement),
    with `before` bound ahead of them and `after` behind."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    cursor = await conn.execute(sql.format(marks=marks), [*before, *ids, *after])
    return [tuple(row) for row in await cursor.fetchall()]


async def favourite_counts(conn: aiosqlite.Connection, status_ids: Iterable[int]) -> dict[int, int]:
    sql = "SELECT status_id, count(*) FROM favourites WHERE status_id IN ({marks}) GROUP BY 1"
    return {row[0]: row[1] for row in await _rows(conn, sql, (), status_ids)}


async def reblog_counts(conn: aiosqlite.Connection, status_ids: Iterable[int]) -> dict[int, int]:
    sql = "SELECT reblog_of_id, count(*) FROM statuses WHERE reblog_of_id IN ({marks}) GROUP BY 1"
    return {row[0]: row[1] for row in await _rows(conn, sql, (), status_ids)}


async def reply_counts(
    conn: aiosqlite.Connection, status_ids: Iterable[int], *, with_local_only: bool
) -> dict[int, int]:
    """Public and unlisted replies (local-only ones too with_local_only), as
    fedi.db.statuses.count_replies counts them."""
    sql = (
        "SELECT in_reply_to_id, count(*) FROM statuses WHERE in_reply_to_id IN ({marks})"
        " AND visibility IN ('public', 'unlisted') AND (? OR is_local_only = 0) GROUP BY 1"
    )
    return {
        row[0]: row[1] for row in await _rows(conn, sql, (), status_ids, (int(with_local_only),))
    }


async def _viewer_did(
    conn: aiosqlite.Connection, sql: str, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    return {row[0] for row in await _rows(conn, sql, (account_id,), status_ids)}


async def favourited_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    sql = "SELECT status_id FROM favourites WHERE account_id = ? AND status_id IN ({marks})"
    return await _viewer_did(conn, sql, account_id, status_ids)


async def reblogged_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    # `+account_id`: look each post's boosts up (statuses_reblog), never walk all of the
    # viewer's statuses.
    sql = "SELECT reblog_of_id FROM statuses WHERE +account_id = ? AND reblog_of_id IN ({marks})"
    return await _viewer_did(conn, sql, account_id, status_ids)


async def bookmarked_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    sql = "SELECT status_id FROM bookmarks WHERE account_id = ? AND status_id IN ({marks})"
    return await _viewer_did(conn, sql, account_id, status_ids)


async def pinned_among(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> set[int]:
    sql = "SELECT status_id FROM status_pins WHERE account_id = ? AND status_id IN ({marks})"
    return await _viewer_did(conn, sql, account_id, status_ids)


async def poll_choices_of(
    conn: aiosqlite.Connection, account_id: int, status_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The options the viewer chose in each of these polls (those they voted in), in order."""
    sql = (
        "SELECT status_id, choice FROM poll_votes WHERE account_id = ?"
        " AND status_id IN ({marks}) ORDER BY status_id, choice"
    )
    found: dict[int, list[int]] = {}
    for status_id, choice in await _rows(conn, sql, (account_id,), status_ids):
        found.setdefault(status_id, []).append(choice)
    return found
