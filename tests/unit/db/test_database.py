from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from fedi.db import Database
from fedi.db.connection import Connection
from fedi.db.migrate import apply_migrations, available_migrations, split_statements


async def test_migrations_run_twice_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = Database(path)
    applied = await first.open()
    await first.close()
    assert applied == [f"{m.version:04d}_{m.name}" for m in available_migrations()]
    second = Database(path)
    assert await second.open() == []
    async with second.read() as conn:
        cursor = await conn.execute("SELECT count(*) FROM schema_migrations")
        row = await cursor.fetchone()
    await second.close()
    assert row is not None and row[0] == len(available_migrations())


def test_concurrent_migrators_apply_each_file_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    one, two = (
        sqlite3.connect(path, isolation_level=None),
        sqlite3.connect(path, isolation_level=None),
    )
    assert apply_migrations(one) != []
    assert apply_migrations(two) == []
    one.close()
    two.close()


def test_split_statements_keeps_comments_out() -> None:
    sql = "-- a table\nCREATE TABLE a (x TEXT DEFAULT ';');\n\nCREATE INDEX i ON a (x);\n-- end\n"
    assert split_statements(sql) == [
        "-- a table\nCREATE TABLE a (x TEXT DEFAULT ';');",
        "CREATE INDEX i ON a (x);",
    ]


async def test_foreign_keys_and_wal_are_on(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    try:
        mode = await db.write(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
        fks = await db.write(lambda c: c.execute("PRAGMA foreign_keys").fetchone()[0])
        assert (mode, fks) == ("wal", 1)
        with pytest.raises(sqlite3.IntegrityError):
            await db.write(
                lambda c: c.execute(
                    "INSERT INTO users (account_id, password_hash, created_at)"
                    " VALUES (42, 'x', 'y')"
                )
            )
    finally:
        await db.close()


async def test_a_failing_job_rolls_back_alone_in_a_batch(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    try:
        await db.write(lambda c: c.execute("CREATE TABLE t (x INTEGER UNIQUE)"))

        def insert(value: int) -> Callable[[sqlite3.Connection], int]:
            def job(conn: sqlite3.Connection) -> int:
                conn.execute("INSERT INTO t (x) VALUES (?)", (value,))
                if value == 5:
                    conn.execute("INSERT INTO t (x) VALUES (?)", (value,))  # duplicate: fails
                return value

            return job

        results = await asyncio.gather(
            *(db.write(insert(v)) for v in range(10)),
            return_exceptions=True,
        )
        assert isinstance(results[5], sqlite3.IntegrityError)
        assert [r for i, r in enumerate(results) if i != 5] == [0, 1, 2, 3, 4, 6, 7, 8, 9]
        async with db.read() as conn:
            cursor = await conn.execute("SELECT x FROM t ORDER BY x")
            stored = [row[0] for row in await cursor.fetchall()]
        assert stored == [0, 1, 2, 3, 4, 6, 7, 8, 9]
    finally:
        await db.close()


async def test_writes_are_visible_to_readers_once_awaited(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    try:
        await db.write(lambda c: c.execute("CREATE TABLE t (x INTEGER)"))

        def insert(value: int) -> Callable[[sqlite3.Connection], object]:
            return lambda c: c.execute("INSERT INTO t VALUES (?)", (value,))

        for value in range(50):
            await db.write(insert(value))
            async with db.read() as conn:
                cursor = await conn.execute("SELECT count(*) FROM t")
                row = await cursor.fetchone()
            assert row is not None and row[0] == value + 1
    finally:
        await db.close()


async def test_readers_cannot_write(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    try:
        async with db.read() as conn:
            with pytest.raises(sqlite3.OperationalError):
                await conn.execute("CREATE TABLE nope (x)")
    finally:
        await db.close()


async def test_writes_of_one_loop_turn_share_one_commit(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    commits: list[int] = []

    def count(conn: sqlite3.Connection) -> None:
        commits.append(1)

    db.add_commit_hook(count)
    try:
        await db.write(lambda c: c.execute("CREATE TABLE t (x INTEGER)"))
        commits.clear()

        def insert(value: int) -> Callable[[sqlite3.Connection], int]:
            return lambda c: c.execute("INSERT INTO t VALUES (?)", (value,)).rowcount

        # Twenty writers started together queue their writes in the same turn of the loop.
        assert await asyncio.gather(*(db.write(insert(v)) for v in range(20))) == [1] * 20
        assert len(commits) == 1
        await db.write(insert(20))  # alone, it commits alone: nothing waits for company
        assert len(commits) == 2
    finally:
        await db.close()


async def test_items_written_together_share_one_statement(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    calls: list[list[int]] = []

    def insert_all(conn: Connection, values: list[int]) -> None:
        calls.append(values)
        conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])

    try:
        await db.write(lambda c: c.execute("CREATE TABLE t (x INTEGER UNIQUE)"))
        plain = db.write(lambda c: c.execute("INSERT INTO t VALUES (100)").rowcount)
        results = await asyncio.gather(plain, *(db.write_together(insert_all, v) for v in range(5)))
        assert results == [1, None, None, None, None, None]
        assert calls == [[0, 1, 2, 3, 4]]
        # One bad item fails every item of its statement, and nothing else in the batch.
        failed = await asyncio.gather(
            db.write(lambda c: c.execute("INSERT INTO t VALUES (200)").rowcount),
            *(db.write_together(insert_all, v) for v in (7, 100)),
            return_exceptions=True,
        )
        assert failed[0] == 1
        assert all(isinstance(r, sqlite3.IntegrityError) for r in failed[1:])
        async with db.read() as conn:
            cursor = await conn.execute("SELECT x FROM t ORDER BY x")
            assert [row[0] for row in await cursor.fetchall()] == [0, 1, 2, 3, 4, 100, 200]
    finally:
        await db.close()


async def test_inline_reads_see_commits_and_stay_in_their_task(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    try:
        await db.write(lambda c: c.execute("CREATE TABLE t (x INTEGER)"))
        async with db.read() as pooled:
            pass
        with db.inline_reads():
            async with db.read() as conn:
                assert conn is not pooled
                inline = conn
                await db.write(lambda c: c.execute("INSERT INTO t VALUES (1)"))
                cursor = await conn.execute("SELECT count(*) FROM t")
                assert tuple(await cursor.fetchone() or ()) == (1,)
                await db.write(lambda c: c.executemany("INSERT INTO t VALUES (?)", [(2,), (3,)]))
                async with conn.execute("SELECT x FROM t WHERE x > ? ORDER BY x", (1,)) as rows:
                    assert [row[0] for row in await rows.fetchall()] == [2, 3]
                cursor = await conn.execute("SELECT x FROM t ORDER BY x")
                assert [row["x"] for row in await cursor.fetchall()] == [1, 2, 3]
                with pytest.raises(sqlite3.OperationalError):
                    await conn.execute("INSERT INTO t VALUES (4)")  # readers cannot write

            async def child() -> object:
                async with db.read() as conn:
                    return conn

            assert await asyncio.create_task(child()) is inline  # tasks started inside
        async with db.read() as conn:
            assert conn is not inline
        other = Database(tmp_path / "other.sqlite3")
        await other.open()
        try:
            with db.inline_reads():
                async with other.read() as conn:
                    assert conn is not inline  # another instance's database reads its own way
        finally:
            await other.close()
    finally:
        await db.close()
