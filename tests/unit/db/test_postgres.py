"""The database layer on PostgreSQL (run with FEDI_TEST_DATABASE=postgresql; skipped on SQLite):
the writer's batches, savepoints and bulk writes, rows read as sqlite3.Row reads them, the
migrations' version table, and connections lost (the server restarted) opened again."""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import AsyncIterator

import psycopg
import pytest

from fedi.db import READERS, Database, walk
from fedi.db.connection import Connection
from fedi.db.errors import INTEGRITY_ERRORS
from fedi.db.fulltext import without_diacritics
from fedi.db.inbox_activities import INBOX_CLAIM_LOCK
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


_END_THE_OTHERS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
_OTHERS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()" \
    " AND pid <> pg_backend_pid()"  # fmt: skip


async def _end_every_connection(db: Database) -> None:
    assert db.url is not None
    async with await psycopg.AsyncConnection.connect(db.url, autocommit=True) as admin:
        await admin.execute(_END_THE_OTHERS)
        for _ in range(200):  # the backends end a moment after they are told to
            cursor = await admin.execute(_OTHERS)
            row = await cursor.fetchone()
            if row is not None and row[0] == 0:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the connections did not end")


async def _values(db: Database) -> list[int]:
    async with db.read() as conn:
        cursor = await conn.execute("SELECT x FROM t ORDER BY x")
        return [row[0] for row in await cursor.fetchall()]


async def test_reads_and_writes_go_on_once_every_connection_was_ended(db: Database) -> None:
    await db.write(lambda c: c.execute("CREATE TABLE t (x BIGINT)"))
    await db.write(lambda c: c.execute("INSERT INTO t VALUES (1)"))
    # The writer's own state (the live streams' temporary log) is made again on its new
    # connection.
    await db.set_up_writer(lambda c: c.execute("CREATE TEMP TABLE IF NOT EXISTS log (x BIGINT)"))
    await _end_every_connection(db)

    # Every reader of the pool, each on a connection that is gone (bounded: before, a lost
    # writer's connection took its thread with it, and the write waited forever).
    reads = asyncio.gather(*(_values(db) for _ in range(READERS)))
    assert await asyncio.wait_for(reads, 10) == [[1]] * READERS
    write = db.write(lambda c: c.execute("INSERT INTO t VALUES (2)").rowcount)
    assert await asyncio.wait_for(write, 10) == 1
    assert await db.write(lambda c: c.execute("INSERT INTO temp.log VALUES (1)").rowcount) == 1
    assert await _values(db) == [1, 2]


async def test_connections_closed_by_the_server_when_idle_are_opened_again(db: Database) -> None:
    await db.write(lambda c: c.execute("CREATE TABLE t (x BIGINT)"))
    await db.write(lambda c: c.execute("SET idle_session_timeout = 50"))
    async with db.read() as conn:
        await conn.execute("SET idle_session_timeout = 50")
        await asyncio.sleep(0.3)  # both connections were idle for longer: the server ended them
        cursor = await asyncio.wait_for(conn.execute("SELECT 1"), 10)
        assert [row[0] for row in await cursor.fetchall()] == [1]
    await asyncio.wait_for(db.write(lambda c: c.execute("INSERT INTO t VALUES (1)")), 10)
    assert await _values(db) == [1]


async def test_a_write_cut_off_by_its_connections_end_fails_alone(db: Database) -> None:
    await db.write(lambda c: c.execute("CREATE TABLE t (x BIGINT)"))

    def cut_off(conn: Connection) -> None:
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    with pytest.raises(psycopg.OperationalError):
        await asyncio.wait_for(db.write(cut_off), 10)
    await asyncio.wait_for(db.write(lambda c: c.execute("INSERT INTO t VALUES (2)")), 10)
    assert await _values(db) == [2]


async def test_a_writer_stopped_inside_a_transaction_lets_go_of_its_locks(db: Database) -> None:
    """A process paused (or hung) in the middle of a write batch: the server ends its
    transaction once it has been idle for the writer's timeout (30 s; 0.2 s here), and the
    inbox's claim lock it held goes with it, so that the other processes' writes go on."""
    assert await db.write(lambda c: str(c.execute("SHOW idle_in_transaction_session_timeout")
                                        .fetchone()[0])) == "30s"  # fmt: skip
    other = Database(db.url or "")
    await other.open()
    try:
        await other.write(lambda c: c.execute("SET idle_in_transaction_session_timeout = 200"))
        held = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stopped(conn: Connection) -> None:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (INBOX_CLAIM_LOCK,))
            loop.call_soon_threadsafe(held.set)
            time.sleep(1.5)  # the process is paused: no statement, the transaction open
            conn.execute("SELECT 1")  # its connection is gone by now

        stalled = asyncio.ensure_future(other.write(stopped))
        await held.wait()
        claimed = db.write(
            lambda c: c.execute("SELECT pg_advisory_xact_lock(?)", (INBOX_CLAIM_LOCK,))
        )
        await asyncio.wait_for(claimed, 5)  # within the timeout, not once the other goes on
        with pytest.raises(psycopg.errors.IdleInTransactionSessionTimeout):
            await asyncio.wait_for(stalled, 10)
        assert (
            await asyncio.wait_for(other.write(lambda c: c.execute("SELECT 1").rowcount), 10) == 1
        )
    finally:
        await other.close()


async def test_a_reads_own_error_is_not_read_again(db: Database) -> None:
    async with db.read() as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            await conn.execute("SELECT x FROM missing")
        # Cancelled is an OperationalError too, of a connection that lives: read again on a
        # new connection (without the timeout), it would succeed.
        await conn.execute("SET statement_timeout = 1")
        with pytest.raises(psycopg.errors.QueryCanceled):
            await conn.execute("SELECT pg_sleep(1)")
        await conn.execute("RESET statement_timeout")


async def test_names_are_indexed_without_the_marks_a_search_leaves_out(db: Database) -> None:
    # Migration 0044's fedi_without_diacritics, on the account search's index, and the searcher's
    # words (fedi.db.fulltext.without_diacritics): every combining mark, and compatibility forms.
    marks = [c for c in range(0x110000) if unicodedata.combining(chr(c))]
    full_width = "\uff46\uff55\uff4c\uff4c"
    text = " ".join("a" + chr(c) for c in marks) + f" José ÅNGSTRÖM Ǆ ﬁ {full_width}"
    async with db.read() as conn:
        cursor = await conn.execute("SELECT fedi_without_diacritics(?)", (text,))
        row = await cursor.fetchone()
    assert row is not None and row[0] == without_diacritics(text)
