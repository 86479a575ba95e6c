"""Statements written for SQLite that PostgreSQL reads otherwise unless translated with care,
run on the database the suite runs on (SQLite, or PostgreSQL with FEDI_TEST_DATABASE=postgresql):
the answers are SQLite's on both."""

from __future__ import annotations

from typing import Any

from fedi.db import Database
from fedi.db.connection import Parameters


async def _row(db: Database, sql: str, parameters: Parameters = ()) -> tuple[Any, ...]:
    async with db.read() as conn:
        cursor = await conn.execute(sql, parameters)
        row = await cursor.fetchone()
    assert row is not None
    return tuple(row)


async def test_scalar_max_and_min_of_a_null_are_null(database: Database) -> None:
    # PostgreSQL's greatest() and least() would pass over the NULL: 2, 2, 1.
    assert await _row(database, "SELECT max(NULL, 2), min(2, NULL), max(?, ?), min(1, 2)",
                      (None, 1)) == (None, None, None, 1)  # fmt: skip
    assert await _row(database, "SELECT max('b', 'a'), min(?, 3)", (7,)) == ("b", 3)


async def test_scalar_max_binds_each_placeholder_once_and_in_order(database: Database) -> None:
    assert await _row(database, "SELECT max(? + 1, ?), ?", (1, 5, 9)) == (5, 9)
    assert await _row(database, "SELECT max(?1 * 2, ?2), ?1", (4, 3)) == (8, 4)
    assert await _row(database, "SELECT min(:a, :b), :a", {"a": None, "b": 2}) == (None, None)


async def test_a_mark_raised_over_a_column_left_null_stays_null(database: Database) -> None:
    # The writes' max(column, ?) over a NULL (a column without NOT NULL): SQLite keeps NULL.
    await database.write(lambda c: c.execute("CREATE TABLE marks (id INTEGER, up_to INTEGER)"))
    await database.write(lambda c: c.execute("INSERT INTO marks VALUES (1, NULL), (2, 4)"))
    await database.write(lambda c: c.execute("UPDATE marks SET up_to = max(up_to, ?)", (3,)))
    async with database.read() as conn:
        cursor = await conn.execute("SELECT id, up_to FROM marks ORDER BY id")
        rows = [tuple(row) for row in await cursor.fetchall()]
    assert rows == [(1, None), (2, 4)]
