"""The database layer on PostgreSQL (run with FEDI_TEST_DATABASE=postgresql; skipped on SQLite):
the writer's batches, savepoints and bulk writes, rows read as sqlite3.Row reads them, and the
migrations' version table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from fedi.db import Database, walk
from fedi.db.connection import Connection
from fedi.db.errors import INTEGRITY_ERRORS
from fedi.db.migrate import available_migrations
from tests.testrig.postgres import Databases


@pytest.fixture
async def db(postgres_databases: Databases | None) -> AsyncIterator[Database]:
    if postgres_databases is None:
        pytest.skip("FEDI_TEST_DATABASE=postgresql runs these")
    url = postgres_databases.create()
    database = Database(url)
    await database.open()
    try:
        yield database
    finally:
        await database.close()
        postgres_databases.drop(url)


async def test_the_same_versions_are_recorded_as_on_sqlite(db: Database) -> None:
    async with db.read() as conn:
        cursor = await conn.execute("SELECT version FROM schema_migrations ORDER BY version")
        versions = [row[0] for row in await cursor.fetchall()]
    assert versions == [m.version for m in available_migrations()]


async def test_a_failing_job_rolls_back_alone_and_rows_read_by_name(db: Database) -> None:
    await db.write(lambda c: c.execute("CREATE TABLE t (x BIGINT UNIQUE, flag BIGINT)"))

    results = await asyncio.gather(
        db.write(lambda c: c.execute("INSERT INTO t VALUES (?, ?)", (1, True)).rowcount),
        db.write(lambda c: c.execute("INSERT INTO t VALUES (?, ?)", (1, False)).rowcount),
        db.write(lambda c: c.execute("INSERT INTO t VALUES (:x, :f)", {"x": 2, "f": 0}).rowcount),
        return_exceptions=True,
    )
    assert results[0] == 1 and results[2] == 1
    assert isinstance(results[1], INTEGRITY_ERRORS)
    async with db.read() as conn:
        cursor = await conn.execute("SELECT x, flag, sum(x) AS total FROM t GROUP BY x, flag"
                                    " ORDER BY x")  # fmt: skip
        rows = list(await cursor.fetchall())
    assert [(row["x"], row["FLAG"], row[2]) for row in rows] == [(1, 1, 1), (2, 0, 2)]
    assert rows[0].keys() == ["x", "flag", "total"]


async def test_items_written_together_share_one_statement(db: Database) -> None:
    calls: list[list[int]] = []

    def insert_all(conn: Connection, values: list[int]) -> None:
        calls.append(values)
        conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])

    await db.write(lambda c: c.execute("CREATE TABLE t (x BIGINT UNIQUE)"))
    await asyncio.gather(*(db.write_together(insert_all, v) for v in range(5)))
    assert calls == [[0, 1, 2, 3, 4]]
    failed = await asyncio.gather(
        *(db.write_together(insert_all, v) for v in (7, 3)), return_exceptions=True
    )
    assert all(isinstance(r, INTEGRITY_ERRORS) for r in failed)
    async with db.read() as conn:
        cursor = await conn.execute("SELECT x FROM t ORDER BY x")
        assert [row[0] for row in await cursor.fetchall()] == [0, 1, 2, 3, 4]


async def test_connections_compile_nothing_just_in_time(db: Database) -> None:
    """JIT compilation took seconds where the timeline's plan ran in milliseconds."""
    async with db.read() as conn:
        cursor = await conn.execute("SHOW jit")
        assert (await cursor.fetchone())[0] == "off"  # type: ignore[index]

    def setting(conn: Connection) -> str:
        return str(conn.execute("SHOW jit").fetchone()[0])

    assert await db.write(setting) == "off"


async def test_each_account_s_statuses_are_read_by_account_not_per_status(db: Database) -> None:
    """The sources of a timeline that read each followed account's newest statuses (LATERAL on
    PostgreSQL): never a subquery run once per status as a join's filter."""
    source = walk.by_accounts(
        ("SELECT followed_id AS account_id FROM follows WHERE follower_id = ?", [1])
    )
    sql, args = source(("", []), walk.Bounds(None, None, "DESC"), 20)
    async with db.read() as conn:
        cursor = await conn.execute(f"EXPLAIN {sql}", args)
        plan = "\n".join(row[0] for row in await cursor.fetchall())
    assert "statuses_account" in plan, plan
    assert "Join Filter: (SubPlan" not in plan and "Seq Scan on statuses" not in plan, plan


async def test_two_processes_opening_an_empty_database_together_migrate_it_once(
    postgres_databases: Databases | None,
) -> None:
    if postgres_databases is None:
        pytest.skip("FEDI_TEST_DATABASE=postgresql runs these")
    url = postgres_databases.create(template="template0")
    first, second = Database(url), Database(url)
    try:
        applied = await asyncio.gather(first.open(), second.open())
        names = [f"{m.version:04d}_{m.name}" for m in available_migrations()]
        assert sorted(applied[0] + applied[1]) == names
    finally:
        await first.close()
        await second.close()
        postgres_databases.drop(url)
