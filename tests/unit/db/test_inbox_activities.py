"""fedi.db.inbox_activities.insert_all: many rows per statement, a known id skipped."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fedi.db import connect
from fedi.db import inbox_activities as rows
from fedi.db.migrate import apply_migrations

ACTOR = "https://remote.test/users/ann"


def received(n: int, uri: str | None = None) -> rows.NewInboxRow:
    return rows.NewInboxRow(
        id=n,
        activity_uri=uri or f"{ACTOR}/activities/{n}",
        actor_uri=ACTOR,
        type="Create",
        body=f'{{"n": {n}}}',
        recipient_id=None,
        now="2025-01-01T00:00:00.000000Z",
        collection_sync="sync" if n % 2 else None,
    )


def test_more_rows_than_one_statement_holds_are_all_stored_and_a_replay_skipped(
    tmp_path: Path,
) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    apply_migrations(conn)
    count = rows.ROWS_PER_STATEMENT * 2 + 3
    batch = [received(n) for n in range(1, count + 1)]
    batch.append(received(count + 1, uri=batch[0].activity_uri))  # the same id again, in one batch
    rows.insert_all(conn, batch)
    rows.insert_all(conn, [received(count + 2, uri=batch[5].activity_uri)])  # and later
    stored = conn.execute(
        "SELECT id, activity_uri, body, collection_sync, state FROM inbox_activities ORDER BY id"
    ).fetchall()
    conn.close()
    assert [tuple(r) for r in stored] == [
        (r.id, r.activity_uri, r.body, r.collection_sync, "pending") for r in batch[:count]
    ]


def test_nothing_to_store_is_no_statement(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "empty.sqlite3")
    rows.insert_all(conn, [])  # no table needed: nothing is run
    conn.close()
