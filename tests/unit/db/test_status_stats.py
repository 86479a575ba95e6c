"""The counts a status shows (migration 0041's status_stats, kept by triggers) equal what
counting the rows gives, on the benchmark's network at a small scale and after every kind of
write that changes them: favourites given and taken back, boosts and replies posted and
deleted, a reply's visibility, a reply kept to this server, a reply moved to another post."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.seed import Seeded, bench_settings
from fedi.context import Context, open_context
from tests.unit.db.conftest import DOMAIN

COUNTED = """
SELECT s.id,
    (SELECT count(*) FROM favourites f WHERE f.status_id = s.id),
    (SELECT count(*) FROM statuses b WHERE b.reblog_of_id = s.id),
    (SELECT count(*) FROM statuses r WHERE r.in_reply_to_id = s.id
        AND r.visibility IN ('public', 'unlisted') AND r.is_local_only = 0),
    (SELECT count(*) FROM statuses r WHERE r.in_reply_to_id = s.id
        AND r.visibility IN ('public', 'unlisted') AND r.is_local_only != 0)
FROM statuses s
"""


@pytest.fixture
async def copied(tmp_path: Path, network: tuple[Path, Seeded]) -> AsyncIterator[Context]:
    data = tmp_path / "data"
    shutil.copytree(network[0], data)
    async with open_context(bench_settings(data, DOMAIN)) as context:
        yield context


def differences(conn: sqlite3.Connection) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
    kept = {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            "SELECT status_id, favourites, reblogs, replies, local_only_replies FROM status_stats"
        )
    }
    wrong = []
    for row in conn.execute(COUNTED):
        expected = tuple(row[1:])
        if kept.pop(row[0], (0, 0, 0, 0)) != expected:
            wrong.append((row[0], expected, kept.get(row[0], (0, 0, 0, 0))))
    wrong += [(i, (0, 0, 0, 0), counts) for i, counts in kept.items() if counts != (0, 0, 0, 0)]
    return wrong


async def test_the_kept_counts_are_the_counted_ones_after_every_write(copied: Context) -> None:
    def counts_are_right(conn: sqlite3.Connection) -> int:
        assert differences(conn) == []
        return int(conn.execute("SELECT count(*) FROM status_stats").fetchone()[0])

    assert await copied.db.write(counts_are_right) > 100  # the seeded network has many

    def change(conn: sqlite3.Connection) -> None:
        replies = [r[0] for r in conn.execute(
            "SELECT id FROM statuses WHERE in_reply_to_id IS NOT NULL ORDER BY id LIMIT 40"
        )]  # fmt: skip
        boosts = [r[0] for r in conn.execute(
            "SELECT id FROM statuses WHERE reblog_of_id IS NOT NULL ORDER BY id LIMIT 10"
        )]  # fmt: skip
        parents = [r[0] for r in conn.execute(
            "SELECT id FROM statuses WHERE reblog_of_id IS NULL ORDER BY id DESC LIMIT 5"
        )]  # fmt: skip
        conn.execute("DELETE FROM favourites WHERE id IN (SELECT id FROM favourites LIMIT 30)")
        conn.execute(
            "UPDATE favourites SET status_id = ? WHERE id IN (SELECT id FROM favourites"
            " WHERE status_id != ? LIMIT 3)",
            (parents[0], parents[0]),
        )
        conn.execute(f"DELETE FROM statuses WHERE id IN ({','.join('?' * 5)})", boosts[:5])
        conn.execute(f"DELETE FROM statuses WHERE id IN ({','.join('?' * 5)})", replies[:5])
        conn.execute("UPDATE statuses SET visibility = 'private' WHERE id = ?", (replies[5],))
        conn.execute("UPDATE statuses SET visibility = 'public' WHERE id = ?", (replies[6],))
        conn.execute("UPDATE statuses SET is_local_only = 1 WHERE id IN (?, ?)", replies[7:9])
        conn.execute(
            "UPDATE statuses SET in_reply_to_id = ? WHERE id = ?", (parents[1], replies[9])
        )
        conn.execute("UPDATE statuses SET in_reply_to_id = NULL WHERE id = ?", (replies[10],))
        conn.execute("UPDATE statuses SET reblog_of_id = ? WHERE id = ?", (parents[2], boosts[5]))
        # A parent deleted with its replies still stored.
        conn.execute("DELETE FROM statuses WHERE id = ?", (parents[3],))

    await copied.db.write(change)
    await copied.db.write(counts_are_right)
