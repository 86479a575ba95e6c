"""The change log the live streams read: what the writer's triggers record, and commit hooks that
see only what committed."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from fedi.db import Database, changes
from fedi.db.changes import Change

NOW = "2024-01-01T00:00:00+00:00"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "db.sqlite3")
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def watch(db: Database) -> list[list[Change]]:
    """Every committed batch's changes, as the hook hands them over."""
    seen: list[list[Change]] = []

    def hook(conn: sqlite3.Connection) -> Callable[[], None] | None:
        found = changes.drain(conn)
        return (lambda: seen.append(found)) if found else None

    db.add_commit_hook(hook)
    return seen


def account(conn: sqlite3.Connection, account_id: int) -> None:
    conn.execute(
        "INSERT INTO accounts (id, uri, username, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (account_id, f"https://x.test/{account_id}", f"u{account_id}", NOW, NOW),
    )


def status(
    conn: sqlite3.Connection, status_id: int, author: int, reblog_of: int | None = None
) -> None:
    conn.execute(
        "INSERT INTO statuses (id, uri, account_id, visibility, is_local, created_at,"
        " reblog_of_id) VALUES (?, ?, ?, 'private', 1, ?, ?)",
        (status_id, f"https://x.test/s/{status_id}", author, NOW, reblog_of),
    )


async def test_statuses_notifications_and_suspensions_are_logged(db: Database) -> None:
    await db.write(changes.install)
    seen = watch(db)

    def setup(conn: sqlite3.Connection) -> None:
        account(conn, 1)
        account(conn, 2)
        status(conn, 10, 1)
        conn.execute("INSERT INTO mentions (status_id, account_id) VALUES (10, 2)")
        conn.execute("INSERT INTO status_tags (status_id, name) VALUES (10, 'rights')")
        status(conn, 11, 2, reblog_of=10)
        conn.execute(
            "INSERT INTO notifications (id, account_id, type, from_account_id, status_id,"
            " created_at) VALUES (20, 2, 'mention', 1, 10, ?)",
            (NOW,),
        )

    await db.write(setup)
    await db.write(lambda c: c.execute("UPDATE statuses SET edited_at = ? WHERE id = 10", (NOW,)))
    await db.write(lambda c: c.execute("UPDATE statuses SET content = 'x' WHERE id = 10"))
    await db.write(lambda c: c.execute("DELETE FROM statuses WHERE id = 10"))
    await db.write(lambda c: c.execute("UPDATE accounts SET suspended_at = ? WHERE id = 2", (NOW,)))
    assert seen[0] == [
        Change("update", 10),
        Change("update", 11),
        Change("notification", 20, {"account_id": 2}),
    ]
    assert seen[1] == [Change("status.update", 10)]
    snapshot = {
        "account_id": 1, "visibility": "private", "is_local": 1, "has_media": 0,
        "mentions": [2], "tags": ["rights"],
    }  # fmt: skip
    assert seen[2] == [  # the boost goes with the post, and says so
        Change("delete", 10, {**snapshot, "is_reblog": 0}),
        Change("delete", 11, {**snapshot, "account_id": 2, "is_reblog": 1, "mentions": [],
                              "tags": []}),
    ]  # fmt: skip
    assert seen[3] == [Change("suspend", 2)]
    assert len(seen) == 4  # the plain content change logged nothing


async def test_a_failed_write_logs_nothing_and_a_failing_hook_fails_no_write(
    db: Database,
) -> None:
    await db.write(changes.install)
    seen = watch(db)

    def broken(conn: sqlite3.Connection) -> Callable[[], None] | None:
        raise RuntimeError("a bug in a watcher")

    db.add_commit_hook(broken)
    await db.write(lambda c: account(c, 1))

    def fails(conn: sqlite3.Connection) -> None:
        status(conn, 10, 1)
        raise ValueError("rolled back")

    with pytest.raises(ValueError):
        await db.write(fails)
    await db.write(lambda c: status(c, 11, 1))
    assert seen == [[Change("update", 11)]]
    async with db.read() as conn:
        cursor = await conn.execute("SELECT id FROM statuses")
        assert [row[0] for row in await cursor.fetchall()] == [11]
