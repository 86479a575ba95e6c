"""Row versions (migration 0040): any change to an account or status row, by any statement,
raises its version, so the models kept by (id, row_version) are never served stale; a page
read again without a change reuses them."""

from __future__ import annotations

import sqlite3

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.db import account_stats, statuses
from fedi.statuses.posting import post_status


async def test_every_change_to_a_row_is_read_at_once(context: Context) -> None:
    member = await add_member(context, "versioned", "versioned-password")
    posted = await post_status(context, "versioned", "first words")
    async with context.db.read() as conn:
        accounts, _ = await account_stats.accounts_with_counts(conn, [member.account.id])
        again, _ = await account_stats.accounts_with_counts(conn, [member.account.id])
        assert accounts[member.account.id] is again[member.account.id]  # kept, not rebuilt
        found = await statuses.get_many(conn, [posted.id])
        assert (await statuses.get_many(conn, [posted.id]))[posted.id] is found[posted.id]
    changes = [
        ("UPDATE accounts SET display_name = 'Renamed' WHERE id = ?", member.account.id),
        ("UPDATE accounts SET silenced_at = '2026-01-01T00:00:00+00:00' WHERE id = ?",
         member.account.id),
        ("UPDATE statuses SET content = '<p>second words</p>' WHERE id = ?", posted.id),
        ("UPDATE statuses SET visibility = 'private' WHERE id = ?", posted.id),
    ]  # fmt: skip
    for sql, row_id in changes:

        def change(conn: sqlite3.Connection, sql: str = sql, row_id: object = row_id) -> None:
            conn.execute(sql, (row_id,))

        await context.db.write(change)
    async with context.db.read() as conn:
        accounts, _ = await account_stats.accounts_with_counts(conn, [member.account.id])
        account = accounts[member.account.id]
        assert account.display_name == "Renamed" and account.silenced_at is not None
        status = (await statuses.get_many(conn, [posted.id]))[posted.id]
        assert status.content == "<p>second words</p>" and status.visibility == "private"
        cursor = await conn.execute("SELECT row_version FROM statuses WHERE id = ?", (posted.id,))
        row = await cursor.fetchone()
        assert row is not None and row[0] == 2
