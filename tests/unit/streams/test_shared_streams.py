"""Live streams across processes: two instances' processes on one database (each with its own
writer connection, hub and streams, as two `fedi serve` processes have), sharing their changes
through stream_events. A post written by one reaches a stream opened on the other, a
notification reaches its member's stream there, nothing arrives twice, and an instance that runs
alone shares nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from fedi.accounts.members import add_member
from fedi.context import Context, open_context
from fedi.core.config import load_settings
from fedi.core.timeutil import to_db, utcnow
from fedi.db.changes import Change
from fedi.statuses.posting import post_status
from fedi.streams.hub import Listener

WAIT = 5.0


@asynccontextmanager
async def processes(tmp_path: Path, count: int, shared: bool) -> AsyncIterator[list[Context]]:
    settings = load_settings({"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path)})
    async with AsyncExitStack() as stack:
        opened = [await stack.enter_async_context(open_context(settings)) for _ in range(count)]
        if shared:
            for context in opened:
                await context.streams.share(context.db)
        yield opened


async def changes_of(listener: Listener, count: int) -> list[Change]:
    found: list[Change] = []
    async with asyncio.timeout(WAIT):
        while len(found) < count:
            item = await listener.next()
            assert isinstance(item, Change)
            found.append(item)
    return found


async def test_a_post_written_by_one_process_reaches_a_stream_on_the_other(
    tmp_path: Path,
) -> None:
    async with processes(tmp_path, 2, shared=True) as (web, worker):
        amal = await add_member(web, "amal", "amal-password")
        await add_member(web, "ben", "ben-password")
        on_web = await web.streams.listen(web.db, amal.account.id, 1)
        on_worker = await worker.streams.listen(worker.db, amal.account.id, 2)
        post = await post_status(worker, "ben", "Hearing moved to Thursday @amal")
        # The writing process's own stream hears it at once, the other within a poll.
        mine = await changes_of(on_worker, 2)
        theirs = await changes_of(on_web, 2)
        expected = {("update", post.id), ("notification", None)}
        assert {(c.kind, c.ref if c.kind == "update" else None) for c in mine} == expected
        assert {(c.kind, c.ref if c.kind == "update" else None) for c in theirs} == expected
        notification = next(c for c in theirs if c.kind == "notification")
        assert notification.detail == {"account_id": amal.account.id}
        # Once each: the other process does not hear its own changes back.
        await asyncio.sleep(0.6)
        assert on_web._queue.empty() and on_worker._queue.empty()


async def test_an_instance_running_alone_shares_nothing(tmp_path: Path) -> None:
    async with processes(tmp_path, 1, shared=False) as (alone,):
        amal = await add_member(alone, "amal", "amal-password")
        listener = await alone.streams.listen(alone.db, amal.account.id, 1)
        post = await post_status(alone, "amal", "Draft of the appeal")
        assert [(c.kind, c.ref) for c in await changes_of(listener, 1)] == [("update", post.id)]
        async with alone.db.read() as conn:
            cursor = await conn.execute("SELECT count(*) FROM stream_events")
            row = await cursor.fetchone()
            assert row is not None and row[0] == 0


async def test_a_suspension_on_one_process_ends_the_members_streams_on_the_other(
    tmp_path: Path,
) -> None:
    async with processes(tmp_path, 2, shared=True) as (web, admin):
        amal = await add_member(web, "amal", "amal-password")
        listener = await web.streams.listen(web.db, amal.account.id, 1)
        await admin.db.write(
            lambda conn: conn.execute(
                "UPDATE accounts SET suspended_at = '2026-12-07T12:00:00+00:00' WHERE id = ?",
                (amal.account.id,),
            )
        )
        async with asyncio.timeout(WAIT):
            assert await listener.next() is None  # closed


async def test_separate_workers_share_their_streams(tmp_path: Path) -> None:
    """With workers = "separate", every process opened shares its changes from the start."""
    settings = load_settings(
        {"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path), "FEDI_WORKERS": "separate"}
    )
    async with open_context(settings) as web, open_context(settings) as worker:
        amal = await add_member(web, "amal", "amal-password")
        listener = await web.streams.listen(web.db, amal.account.id, 1)
        post = await post_status(worker, "amal", "Written by the worker's process")
        assert [(c.kind, c.ref) for c in await changes_of(listener, 1)] == [("update", post.id)]


async def test_a_change_committed_after_a_later_numbered_one_still_arrives_once(
    tmp_path: Path,
) -> None:
    """On PostgreSQL a transaction may commit after one that took a later number: the reader
    looks back and hands each change out once."""
    async with processes(tmp_path, 1, shared=True) as (web,):
        amal = await add_member(web, "amal", "amal-password")
        listener = await web.streams.listen(web.db, amal.account.id, 1)

        async def write(seq: int, ref: int) -> None:
            now = "2026-12-07T12:00:00+00:00"
            sql = "INSERT INTO stream_events VALUES (?, 'elsewhere', 'update', ?, NULL, ?)"
            await web.db.write(lambda conn: conn.execute(sql, (seq, ref, now)))

        await write(1000, 1)
        assert [c.ref for c in await changes_of(listener, 1)] == [1]
        await write(990, 2)  # numbered before, committed after
        await write(1001, 3)
        assert [c.ref for c in await changes_of(listener, 2)] == [2, 3]
        await asyncio.sleep(0.6)  # read again several times: nothing twice
        assert listener._queue.empty()


async def test_a_stream_opened_later_hears_only_what_commits_after(tmp_path: Path) -> None:
    async with processes(tmp_path, 2, shared=True) as (web, worker):
        amal = await add_member(web, "amal", "amal-password")
        await post_status(worker, "amal", "Written before any stream")
        listener = await web.streams.listen(web.db, amal.account.id, 1)
        await asyncio.sleep(0.1)  # the other process's changes are being read
        post = await post_status(worker, "amal", "Written after")
        assert [(c.kind, c.ref) for c in await changes_of(listener, 1)] == [("update", post.id)]
        await asyncio.sleep(0.6)
        assert listener._queue.empty()


@pytest.mark.sqlite_only  # writes the shared row with sqlite3 itself, with no turn of the loop
async def test_a_change_shared_just_after_a_stream_opens_reaches_it(tmp_path: Path) -> None:
    """The other processes' changes are read from what had committed when the first stream
    opened, not from what has committed once the reading task first runs: a suspension shared
    in between would otherwise pass for an old one, and the member's stream stay open."""
    async with processes(tmp_path, 1, shared=True) as (web,):
        amal = await add_member(web, "amal", "amal-password")
        listener = await web.streams.listen(web.db, amal.account.id, 1)
        # Another process shares a suspension before this one's loop turns again.
        with sqlite3.connect(web.settings.database_path) as other:
            other.execute(
                "INSERT INTO stream_events (origin, kind, ref, detail, created_at)"
                " VALUES ('another-process', 'suspend', ?, NULL, ?)",
                (amal.account.id, to_db(utcnow())),
            )
        async with asyncio.timeout(WAIT):
            assert await listener.next() is None  # closed
