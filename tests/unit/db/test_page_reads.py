"""The merged reads of a page's batch answer what the separate reads do: a viewer's stats, what
they did, their poll choices and whom they follow (status_stats.seen_by), and accounts with
their counts (account_stats.accounts_with_counts)."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bench.seed import Seeded
from fedi.db import account_stats, accounts, follows, status_stats


async def _busy_statuses(conn: aiosqlite.Connection) -> list[int]:
    cursor = await conn.execute(
        "SELECT * FROM (SELECT status_id FROM favourites ORDER BY id DESC LIMIT 20)"
        " UNION SELECT * FROM (SELECT reblog_of_id FROM statuses WHERE reblog_of_id IS NOT NULL"
        "  ORDER BY id DESC LIMIT 20)"
        " UNION SELECT * FROM (SELECT in_reply_to_id FROM statuses"
        "  WHERE in_reply_to_id IS NOT NULL ORDER BY id DESC LIMIT 20)"
        " UNION SELECT * FROM (SELECT status_id FROM poll_votes LIMIT 20)"
        " UNION SELECT * FROM (SELECT status_id FROM bookmarks LIMIT 20)"
        " UNION SELECT * FROM (SELECT id FROM statuses ORDER BY id DESC LIMIT 20)"
    )
    return [r[0] for r in await cursor.fetchall()]


async def _ids_of(
    conn: aiosqlite.Connection, sql: str, viewer: int, ids: list[int]
) -> frozenset[int]:
    marks = ", ".join("?" for _ in ids)
    cursor = await conn.execute(sql.format(marks=marks), [viewer, *ids])
    return frozenset(r[0] for r in await cursor.fetchall())


async def _did(conn: aiosqlite.Connection, viewer: int, ids: list[int]) -> status_stats.ViewerDid:
    """What the viewer did to these statuses, one table at a time."""
    return status_stats.ViewerDid(
        await _ids_of(conn, "SELECT status_id FROM favourites WHERE account_id = ?"
                      " AND status_id IN ({marks})", viewer, ids),
        await _ids_of(conn, "SELECT reblog_of_id FROM statuses WHERE account_id = ?"
                      " AND reblog_of_id IN ({marks})", viewer, ids),
        await _ids_of(conn, "SELECT status_id FROM bookmarks WHERE account_id = ?"
                      " AND status_id IN ({marks})", viewer, ids),
        await _ids_of(conn, "SELECT status_id FROM status_pins WHERE account_id = ?"
                      " AND status_id IN ({marks})", viewer, ids),
    )  # fmt: skip


async def _choices(conn: aiosqlite.Connection, viewer: int, ids: list[int]) -> dict[int, list[int]]:
    marks = ", ".join("?" for _ in ids)
    cursor = await conn.execute(
        "SELECT status_id, choice FROM poll_votes WHERE account_id = ?"
        f" AND status_id IN ({marks}) ORDER BY status_id, choice",
        [viewer, *ids],
    )
    found: dict[int, list[int]] = {}
    for status_id, choice in await cursor.fetchall():
        found.setdefault(status_id, []).append(choice)
    return found


async def test_seen_by_answers_what_the_separate_reads_do(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded]
) -> None:
    ids = await _busy_statuses(conn)
    cursor = await conn.execute(
        f"SELECT DISTINCT account_id FROM statuses WHERE id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    authors = [r[0] for r in await cursor.fetchall()]
    voters = await conn.execute("SELECT DISTINCT account_id FROM poll_votes LIMIT 5")
    viewers = [*network[1].members[:10], *(r[0] for r in await voters.fetchall())]
    followed_any = False
    for viewer in viewers:
        seen = await status_stats.seen_by(conn, viewer, ids, authors)
        assert seen.counts == await status_stats.counts_of(conn, ids, with_local_only=True)
        assert seen.did == await _did(conn, viewer, ids)
        assert seen.poll_choices == await _choices(conn, viewer, ids)
        assert seen.followed == await follows.followed_among(conn, viewer, authors)
        followed_any = followed_any or bool(seen.followed)
    assert followed_any  # the seed has no poll votes: tests/api/test_polls.py
    assert await status_stats.seen_by(conn, viewers[0], [], []) == status_stats.SeenBy(
        status_stats.StatusCounts(), status_stats.ViewerDid(), frozenset(), {}
    )


async def test_accounts_with_counts_are_the_accounts_and_their_counts(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded]
) -> None:
    seeded = network[1]
    ids = [*seeded.members[:20], *seeded.remote[:20], 10**15]
    found, counts = await account_stats.accounts_with_counts(conn, ids)
    assert found == await accounts.get_many(conn, ids)
    assert counts == await account_stats.counts_of(conn, ids)
    assert await account_stats.accounts_with_counts(conn, []) == ({}, {})
