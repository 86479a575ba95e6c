"""The key a notification joins (fedi.db.notifications.group_key_for), as Mastodon keys groups:
a favourite or boost of one post, or a follow, joins the group of its kind begun less than twelve
clock hours before, else begins its own; notifications stored before groups existed are keyed by
the hour they arrived in."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.timeutil import to_db
from fedi.db import interactions
from fedi.db.migrate import available_migrations, prepare, split_statements
from tests.api.people import remote_post

START = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
HOUR = int(START.timestamp()) // 3600


async def _keys(context: Context, me: int) -> list[tuple[str, str | None]]:
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT type, group_key FROM notifications WHERE account_id = ? ORDER BY id", (me,)
        )
        return [(r[0], r[1]) for r in await cursor.fetchall()]


async def test_groups_span_twelve_hours_from_their_first(context: Context) -> None:
    me = (await add_member(context, "alice", "alice-password")).account.id
    fans = [(await add_member(context, f"fan{n}", "pw-pw-pw-pw")).account.id for n in range(5)]
    post, other_post = [await remote_post(context, me, text) for text in ("one", "two")]

    def notify(kind: str, fan: int, status: int | None, after: timedelta) -> None:
        calls.append((kind, fan, status, to_db(START + after)))

    calls: list[tuple[str, int, int | None, str]] = []
    notify("favourite", fans[0], post, timedelta())
    notify("favourite", fans[1], post, timedelta(hours=11, minutes=29))  # 11th hour after
    notify("favourite", fans[2], other_post, timedelta(hours=1))  # another post: its own
    notify("favourite", fans[3], post, timedelta(hours=12, minutes=31))  # 13th: a new group
    notify("follow", fans[0], None, timedelta(hours=2))
    notify("follow", fans[1], None, timedelta(hours=3))
    notify("mention", fans[4], post, timedelta(hours=3))  # never grouped

    def write(conn: sqlite3.Connection) -> None:
        for kind, fan, status, now in calls:
            interactions.notify(conn, [me], kind, fan, status, now)

    await context.db.write(write)
    assert await _keys(context, me) == [
        ("favourite", f"favourite-{post}-{HOUR}"),
        ("favourite", f"favourite-{post}-{HOUR}"),
        ("favourite", f"favourite-{other_post}-{HOUR + 1}"),
        ("favourite", f"favourite-{post}-{HOUR + 13}"),
        ("follow", f"follow-{HOUR + 2}"),
        ("follow", f"follow-{HOUR + 2}"),
        ("mention", None),
    ]


def test_notifications_from_before_are_keyed_by_their_hour(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    prepare(conn)
    migrations = available_migrations()
    for migration in migrations:
        if migration.name == "notification_groups":
            conn.execute("PRAGMA foreign_keys = OFF")
            stamp = to_db(START)
            conn.executemany(
                "INSERT INTO notifications (id, account_id, type, from_account_id, status_id,"
                " created_at) VALUES (?, 1, ?, 2, ?, ?)",
                [(1, "favourite", 7, stamp), (2, "reblog", 7, stamp), (3, "follow", None, stamp),
                 (4, "mention", 7, stamp), (5, "favourite", None, stamp)],
            )  # fmt: skip
        for statement in split_statements(migration.sql):
            conn.execute(statement)
    keys = conn.execute("SELECT id, group_key FROM notifications ORDER BY id").fetchall()
    conn.close()
    assert keys == [
        (1, f"favourite-7-{HOUR}"), (2, f"reblog-7-{HOUR}"), (3, f"follow-{HOUR}"),
        (4, None), (5, None),
    ]  # fmt: skip
