"""The pool of readers, on the database the suite runs on (SQLite, or PostgreSQL with
FEDI_TEST_DATABASE=postgresql): a read nested in a read, and reads from tasks a read started."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from fedi.db import READERS, Database


async def _one(db: Database) -> int:
    async with db.read() as conn:
        cursor = await conn.execute("SELECT 1")
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_reads_nested_in_reads_of_more_tasks_than_readers_finish(database: Database) -> None:
    async def outer() -> int:
        async with database.read() as conn:
            await asyncio.sleep(0.05)  # every reader is held before any inner read starts
            inner = await _one(database)
            cursor = await conn.execute("SELECT 2")
            row = await cursor.fetchone()
        assert row is not None
        return inner + int(row[0])

    results = await asyncio.wait_for(asyncio.gather(*(outer() for _ in range(2 * READERS))), 10)
    assert results == [3] * (2 * READERS)
    # Every reader went back to the pool.
    again = await asyncio.wait_for(asyncio.gather(*(_one(database) for _ in range(READERS))), 10)
    assert again == [1] * READERS


async def test_a_task_started_inside_a_read_takes_a_reader_of_its_own(database: Database) -> None:
    async with database.read():
        started = asyncio.create_task(_one(database))
        assert await asyncio.wait_for(started, 10) == 1
    # The task outlives the read that started it: it reads on a pooled reader all the same.
    release = asyncio.Event()

    async def later() -> int:
        await release.wait()
        return await _one(database)

    async with database.read():
        late = asyncio.create_task(later())
    release.set()
    assert await asyncio.wait_for(late, 10) == 1


async def test_a_read_held_by_an_async_generator_closed_elsewhere_is_given_back(
    database: Database,
) -> None:
    async def numbers() -> AsyncGenerator[int]:
        async with database.read():
            yield 1

    opened = numbers()
    assert await anext(opened) == 1
    await asyncio.create_task(opened.aclose())  # its read ends in another task's context
    again = await asyncio.wait_for(asyncio.gather(*(_one(database) for _ in range(READERS))), 10)
    assert again == [1] * READERS
