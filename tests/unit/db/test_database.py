from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from fedi.db import Database
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
