"""Everything a member hides, read in one statement (fedi.db.viewer_rules), is what the separate
reads of mutes, blocks, domain blocks, exclusive lists and active filters return; and the rules a
page judges with follow every change at once, though they are kept between pages."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

from bench.seed import Seeded, bench_settings
from fedi.context import open_context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import filters, interactions, mutes, viewer_rules
from fedi.statuses.timeline_rules import rules_for
from tests.unit.db.conftest import DOMAIN


async def test_one_statement_reads_what_the_separate_reads_do(
    network: tuple[Path, Seeded],
) -> None:
    seeded = network[1]
    now = to_db(utcnow())
    async with (
        open_context(bench_settings(network[0], DOMAIN)) as context,
        context.db.read() as conn,
    ):
        for member in seeded.members:
            rows = await viewer_rules.rows_of(conn, member, now)
            assert viewer_rules.hidden_of(rows) == await mutes.hidden_by(conn, member, now)
            assert viewer_rules.filters_of(rows, member) == await filters.filters_of(
                conn, member, active_at=now
            )
        heavy = await viewer_rules.rows_of(conn, seeded.members[0], now)
        assert {row[0] for row in heavy} == {0, 1, 2, 3, 4, 5}


async def test_kept_rules_follow_every_change_at_once(
    network: tuple[Path, Seeded], tmp_path: Path
) -> None:
    seeded = network[1]
    data = tmp_path / "data"
    shutil.copytree(network[0], data)
    viewer, target, other = seeded.members[0], seeded.members[7], seeded.remote[3]
    async with open_context(bench_settings(data, DOMAIN)) as context:
        first = await rules_for(context, viewer)
        assert await rules_for(context, viewer) is first  # nothing changed: kept
        assert target not in first.muted
        now = to_db(utcnow())
        soon = to_db(utcnow() + timedelta(seconds=2))

        def mute(conn: sqlite3.Connection) -> None:
            mutes.upsert_mute(conn, viewer, target, True, None, now)

        await context.db.write(mute)
        muted = await rules_for(context, viewer)
        assert target in muted.muted and target in muted.muted_notifications

        def block_and_filter(conn: sqlite3.Connection) -> None:
            interactions.add_block(conn, viewer, other, None, now)
            found = filters.insert_filter(conn, viewer, "soon", ("home",), "hide", soon, now)
            filters.insert_keyword(conn, found, "kiwi", False, now)

        await context.db.write(block_and_filter)
        blocked = await rules_for(context, viewer)
        assert other in blocked.blocked
        assert [k.keyword for f in blocked.filters for k in f.keywords].count("kiwi") == 1

        def unmute(conn: sqlite3.Connection) -> None:
            mutes.delete_mute(conn, viewer, target)

        await context.db.write(unmute)
        assert target not in (await rules_for(context, viewer)).muted
        assert await rules_for(context, other) is not await rules_for(context, viewer)
