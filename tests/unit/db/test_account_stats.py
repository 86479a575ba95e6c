"""Account counters are kept as statuses and follows change (migration 0021's triggers), never
counted on read: after the seeded network's writes, and after deletions, boosts undone, follow
requests accepted, blocks (which end follows) and a remote account's deletion (which takes its
statuses and follows with it), every counter equals what counting the rows says."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bench.seed import Seeded, bench_settings
from fedi.context import open_context
from fedi.core.models import Counts
from fedi.core.timeutil import to_db, utcnow
from fedi.db import account_stats, accounts, follows, interactions, statuses
from fedi.db.connection import Reader
from tests.unit.db.conftest import DOMAIN


async def counted(conn: Reader) -> dict[int, Counts]:
    cursor = await conn.execute(
        "SELECT a.id,"
        " (SELECT count(*) FROM statuses s WHERE s.account_id = a.id"
        "   AND s.visibility IN ('public', 'unlisted', 'private')),"
        " (SELECT count(*) FROM follows f WHERE f.followed_id = a.id AND f.state = 'accepted'),"
        " (SELECT count(*) FROM follows f WHERE f.follower_id = a.id AND f.state = 'accepted')"
        " FROM accounts a"
    )
    return {row[0]: Counts(row[1], row[2], row[3]) for row in await cursor.fetchall()}


async def test_counters_equal_the_rows_through_every_change(
    network: tuple[Path, Seeded], tmp_path: Path
) -> None:
    seeded = network[1]
    data = tmp_path / "data"
    shutil.copytree(network[0], data)  # the shared network stays as it was seeded
    async with open_context(bench_settings(data, DOMAIN)) as context:
        async with context.db.read() as conn:
            expected = await counted(conn)
            kept = await account_stats.counts_of(conn, expected)
            assert kept == expected
            assert any(c.statuses > 10 and c.followers > 3 for c in kept.values())
            victims = (await statuses.public_page(conn, seeded.members[3], None, 5))[:3]
            boost = await conn.execute(
                "SELECT id FROM statuses WHERE reblog_of_id IS NOT NULL LIMIT 1"
            )
            boost_id = (await boost.fetchone() or [0])[0]
            pending = await conn.execute("SELECT follower_id, followed_id FROM follows"
                                         " WHERE state = 'pending' LIMIT 1")  # fmt: skip
            request = await pending.fetchone()
        now = to_db(utcnow())
        gone_remote = seeded.remote[7]
        member, other = seeded.members[4], seeded.members[5]

        def change(conn: sqlite3.Connection) -> None:
            for status in victims:
                statuses.delete_status(conn, status, now)
            statuses.delete_reblog(conn, boost_id)
            if request is not None:
                follows.set_state(conn, request[0], request[1], "accepted")
            follows.upsert_follow(
                conn, follower_id=other, followed_id=member, uri=None, state="pending", now=now
            )
            follows.set_state(conn, other, member, "accepted")
            follows.delete_follow(conn, seeded.members[0], seeded.members[1])
            interactions.add_block(conn, member, seeded.members[6], None, now)
            accounts.delete_account(conn, gone_remote)

        await context.db.write(change)
        async with context.db.read() as conn:
            assert await account_stats.counts_of(conn, seeded.members) == {
                k: v for k, v in (await counted(conn)).items() if k in seeded.members
            }
            assert await account_stats.counts_of(conn, await counted(conn)) == await counted(conn)
            assert await account_stats.counts_of(conn, [gone_remote]) == {}
