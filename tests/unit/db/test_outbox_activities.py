"""The delivery rows of a fan-out: written in one statement, each with its inbox, host and extra
headers, each once; marked done in one statement."""

from __future__ import annotations

import sqlite3

import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import outbox_activities

SYNC = {"Collection-Synchronization": 'collectionId="https://fedi.test/g/followers"'}


async def test_fan_out_rows_are_written_once_each_and_marked_done_together(
    context: Context,
) -> None:
    author = await add_member(context, "author", "correct horse battery")
    now = to_db(utcnow())
    deliveries = [
        (7, "https://one.example/inbox", "one.example", {}),
        (8, "https://two.example/inbox", "two.example:8443", SYNC),
        (9, "https://one.example/inbox", "one.example", {}),  # the same inbox again: ignored
    ]

    def publish(conn: sqlite3.Connection) -> None:
        outbox_activities.insert(
            conn, row_id=5, activity_uri="https://fedi.test/a/5", actor_id=author.account.id,
            body={"type": "Create"}, audience={}, now=now,
        )  # fmt: skip
        outbox_activities.fan_out(conn, 5, deliveries, now)

    await context.db.write(publish)
    async with context.db.read() as conn:
        due = await outbox_activities.due_deliveries(conn, now, 10)
        assert await outbox_activities.pending(conn, 10) == []
    assert [(r.id, r.inbox_uri, r.host, r.extra_headers) for r in due] == [
        (7, "https://one.example/inbox", "one.example", {}),
        (8, "https://two.example/inbox", "two.example:8443", SYNC),
    ]
    assert {(r.activity_id, r.actor_id, r.attempts, r.created_at) for r in due} == {
        (5, author.account.id, 0, now)
    }

    await context.db.write(lambda conn: outbox_activities.record_attempts(conn, now, done=[7, 8]))
    async with context.db.read() as conn:
        assert await outbox_activities.due_deliveries(conn, now, 10) == []
        assert await outbox_activities.delivery_counts(conn) == {"done": 2}


@pytest.mark.sqlite_only  # plans of SQLite itself
async def test_claiming_due_deliveries_reads_the_queued_ones_in_order(context: Context) -> None:
    """The claim reads the partial index of queued deliveries in the order it wants them: no
    scan of the table (which keeps every delivery until it is pruned) and no sort."""
    now = to_db(utcnow())
    statements: list[str] = []

    def claim(conn: sqlite3.Connection) -> list[str]:
        conn.set_trace_callback(statements.append)
        try:
            outbox_activities.claim_deliveries(conn, "worker", now, now, 50)
        finally:
            conn.set_trace_callback(None)
        (update,) = [s for s in statements if s.startswith("UPDATE deliveries")]
        rows = conn.execute(f"EXPLAIN QUERY PLAN {update}").fetchall()
        return [str(row[3]) for row in rows]

    plan = await context.db.write(claim)
    assert any("USING INDEX deliveries_queued" in detail for detail in plan), plan
    assert "SCAN deliveries" not in plan, plan  # a scan of the table, not of the index
    assert not any("TEMP B-TREE" in detail for detail in plan), plan
