"""The database: one writer thread with group commit, and a small pool of readers; SQLite (a
file, aiosqlite readers) or PostgreSQL (psycopg connections, fedi.db.postgres), the same design.

Every write is a plain function of a connection (fedi.db.connection), queued to the single
writer thread. The writes made during one turn of the event loop are handed over together (one
queue put, one wake of the writer); the writer drains whatever has queued up, runs each job
inside its own SAVEPOINT (one failing job rolls back alone), commits the whole batch once and
wakes each waiting event loop once for the batch: under load many writes share one fsync and
no write pays a thread hand-off of its own. Readers are aiosqlite connections on the same
WAL-mode file (or PostgreSQL connections of their own), so reads never wait for the writer.
A read nested in a read of the same task reads on the reader that task holds. PostgreSQL's
connections, when lost, are opened again (fedi.db.postgres): state the writer's connection must
carry is made again by Database.set_up_writer's jobs.

Small indexed reads (the inbox worker's, a page's batch) cost more in thread hand-offs than in
SQLite: `inline_reads()` (a task and those it starts) and `read_now()` (one block of reads) read
on one more connection in the event loop's own thread, with no hand-off at all. PostgreSQL's
readers are asynchronous already: there both are the usual readers.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from fedi.db.batches import CommitHook, Job, WriterConnection, run_batch
from fedi.db.connection import Connection, Reader
from fedi.db.errors import DATABASE_ERRORS
from fedi.db.inline_reader import InlineReader
from fedi.db.migrate import apply_migrations
from fedi.db.pg_migrate import apply_pg_migrations
from fedi.db.postgres import PgConnection, PgReader
from fedi.db.status_search import flush as flush_search_words
from fedi.db.status_search import prepare_writer

T = TypeVar("T")
Item = TypeVar("Item")
WriteJob = Callable[[Connection], T]
# Writes a list of items with one statement (executemany): see Database.write_together.
BulkWrite = Callable[[Connection, list[Item]], None]

MAX_BATCH = 512
READERS = 4


class DatabaseError(Exception):
    """The database cannot be opened or used; the message is fit for an operator."""


def connect(path: Path) -> sqlite3.Connection:
    """A configured sqlite3 connection in autocommit mode: transactions are explicit."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        configure(conn)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open the database {path}: {exc}") from None
    return conn


def configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    # FULL: a committed write survives power loss too. Group commit spreads the fsync over a batch.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA temp_store=MEMORY")  # statement journals, the writer's TEMP tables


_STOP = object()

# The inline reader (and its database) that Database.read() hands out in this task, if any.
_INLINE: ContextVar[tuple[Database, InlineReader] | None] = ContextVar(
    "fedi_inline_reader", default=None
)
# The read whose pooled reader this task holds, for the reads nested in it.
_HELD: ContextVar[_Reading | None] = ContextVar("fedi_held_reader", default=None)


class Database:
    """`target`: the SQLite file, or a postgresql:// URL."""

    def __init__(self, target: Path | str) -> None:
        self.url = target if isinstance(target, str) else None
        self.path = target if isinstance(target, Path) else Path()
        self.is_postgresql = self.url is not None
        self._jobs: queue.SimpleQueue[list[Job] | object] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._readers: asyncio.Queue[Reader] | None = None
        self._reader_list: list[aiosqlite.Connection | PgReader] = []
        self._inline: InlineReader | None = None
        # SQLite's posts' words written in the batch go into the search index first.
        self._commit_hooks: tuple[CommitHook, ...] = (
            () if self.is_postgresql else (flush_search_words,)
        )
        # What each new writer connection runs first (PostgreSQL's, after a lost one).
        self._writer_setup: tuple[Callable[[Any], object], ...] = ()
        # Writes made during this turn of the event loop, handed to the writer together at its
        # end by a callback scheduled on that loop.
        self._outgoing: list[Job] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None

    def add_commit_hook(self, hook: CommitHook) -> None:
        """Watch every committed batch (live streams learn of new rows this way, without
        polling). A hook's own error is logged and never fails the batch."""
        self._commit_hooks = (*self._commit_hooks, hook)

    async def open(self) -> list[str]:
        """Open the database, apply pending migrations, start the writer. Returns migrations
        applied."""
        conn: WriterConnection
        if self.url is not None:
            conn, applied = await asyncio.to_thread(self._open_postgresql_writer, self.url)
        else:
            conn = connect(self.path)
            try:
                applied = apply_migrations(conn)
            except sqlite3.Error as exc:
                conn.close()
                raise DatabaseError(f"cannot migrate the database {self.path}: {exc}") from None
            prepare_writer(conn)
        self._writer = threading.Thread(
            target=self._write_loop, args=(conn,), name="fedi-db-writer", daemon=True
        )
        self._writer.start()
        self._readers = asyncio.Queue()
        for _ in range(READERS):
            reader = await self._open_reader()
            self._reader_list.append(reader)
            self._readers.put_nowait(reader)
        if self.url is None:
            self._inline = InlineReader(self.path)
        return applied

    @staticmethod
    def _open_postgresql_writer(url: str) -> tuple[PgConnection, list[str]]:
        try:
            conn = PgConnection.connect(url)
        except DATABASE_ERRORS as exc:
            raise DatabaseError(f"cannot open the database: {exc}") from None
        try:
            return conn, apply_pg_migrations(conn)
        except DATABASE_ERRORS as exc:
            conn.close()
            raise DatabaseError(f"cannot migrate the database: {exc}") from None

    async def _open_reader(self) -> aiosqlite.Connection | PgReader:
        if self.url is not None:
            try:
                return await PgReader.connect(self.url)
            except DATABASE_ERRORS as exc:
                raise DatabaseError(f"cannot open the database: {exc}") from None
        reader = await aiosqlite.connect(self.path)
        reader.row_factory = sqlite3.Row
        await reader.execute("PRAGMA query_only=ON")
        await reader.execute("PRAGMA busy_timeout=5000")
        return reader

    async def close(self) -> None:
        for reader in self._reader_list:
            await reader.close()
        self._reader_list.clear()
        self._readers = None
        if self._inline is not None:
            await self._inline.close()
            self._inline = None
        if self._writer is not None:
            self._flush()  # writes not handed over yet go before the stop
            self._jobs.put(_STOP)
            await asyncio.to_thread(self._writer.join)
            self._writer = None

    def read(self) -> _Reading:
        """A reader connection for `async with` (the inline one inside inline_reads())."""
        return _Reading(self)

    def read_now(self) -> _ReadingNow:
        """The inline reader, for reads whose cost is bounded by a page (a timeline walk, a
        page's batch, a token lookup: the statements tests/unit/db/test_timeline_plans.py
        checks), never for a query that may take long. On PostgreSQL, a pooled reader."""
        return _ReadingNow(self)

    @contextmanager
    def inline_reads(self) -> Iterator[None]:
        """Inside, read() in this task (and in tasks started from it) yields the inline reader:
        for bursts of short indexed reads, where a thread hand-off per call costs more than the
        query (the inbox worker)."""
        if self._inline is None:
            if not self.is_postgresql:
                raise DatabaseError("the database is not open")
            yield
            return
        token = _INLINE.set((self, self._inline))
        try:
            yield
        finally:
            _INLINE.reset(token)

    async def ping(self) -> None:
        """Raises if the database cannot answer a read (for the health check)."""
        async with self.read() as conn:
            await conn.execute("SELECT 1")

    async def set_up_writer(self, job: Callable[[Any], T]) -> T:
        """Write with `job` now, and again first thing on every connection the writer opens
        later (PostgreSQL's, after a lost one): for the state of the connection itself,
        temporary tables and settings, which go with it."""
        self._writer_setup = (*self._writer_setup, job)
        return await self.write(job)

    async def write(self, job: Callable[[Any], T]) -> T:
        """Run job in the writer thread inside a transaction; returns once it is committed."""
        if self._writer is None:
            raise DatabaseError("the database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._hand_over(Job(run=job, loop=loop, future=future))
        return await future

    async def write_together(self, bulk: BulkWrite[Item], item: Item) -> None:
        """Write `item` with `bulk`, a function that writes a list of items with one statement
        (executemany): every item queued for the same function in one batch goes in one call,
        in that batch's transaction (one savepoint for all of them, so one bad item fails them
        all). For many small rows arriving at once, an inbox under load say, where a job per
        row would cost more than the row. Returns once committed."""
        if self._writer is None:
            raise DatabaseError("the database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._hand_over(Job(run=bulk, loop=loop, future=future, item=item))
        await future

    def _hand_over(self, job: Job) -> None:
        self._outgoing.append(job)
        if self._flush_on is not job.loop:
            # At the end of this turn of the loop: the writes of every task that runs in it
            # travel together, and the writer is woken once for all of them. (Scheduled again
            # from another loop, should the one that scheduled it have stopped before.)
            self._flush_on = job.loop
            job.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_on = None
        jobs, self._outgoing = self._outgoing, []
        if jobs:
            self._jobs.put(jobs)

    def _write_loop(self, conn: WriterConnection) -> None:
        def begin() -> None:
            if isinstance(conn, PgConnection):
                conn.begin(self._writer_setup)
            else:
                conn.execute("BEGIN IMMEDIATE")

        try:
            while True:
                first = self._jobs.get()
                if first is _STOP:
                    return
                batch: list[Job] = list(first) if isinstance(first, list) else []
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        self._jobs.put(_STOP)
                        break
                    if isinstance(item, list):
                        batch += item
                run_batch(conn, begin, batch, self._commit_hooks)
        finally:
            conn.close()


class _Reading:
    """Database.read(): a class, five times cheaper to enter than a generator's (the inbox).

    A read inside a read, in the same task, is given the reader the task holds already: taking
    a second one from the pool would wait forever once every reader is held by a task waiting
    for its second."""

    __slots__ = ("_db", "_outer", "_reader", "_task")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._reader: Reader | None = None
        self._task: asyncio.Task[Any] | None = None
        self._outer: Token[_Reading | None] | None = None

    async def __aenter__(self) -> Reader:
        inline = _INLINE.get()
        if inline is not None and inline[0] is self._db:
            return inline[1]
        task = asyncio.current_task()
        held = _HELD.get()
        if held is not None and held._db is self._db and held._task is task:
            reader = held._reader  # None once that read's block has ended
            if reader is not None:
                return reader
        readers = self._db._readers
        if readers is None:
            raise DatabaseError("the database is not open")
        self._reader = await readers.get()
        self._task = task
        self._outer = _HELD.set(self)
        return self._reader

    async def __aexit__(self, *exc: object) -> None:
        reader, self._reader = self._reader, None
        outer, self._outer = self._outer, None
        if outer is not None:
            # (ValueError: left in another context, by an async generator closed late.)
            with suppress(ValueError):
                _HELD.reset(outer)
        if reader is not None and self._db._readers is not None:
            self._db._readers.put_nowait(reader)


class _ReadingNow:
    """Database.read_now(): a class, as _Reading is, for the few reads of every page."""

    __slots__ = ("_db", "_pooled")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pooled: _Reading | None = None

    async def __aenter__(self) -> Reader:
        db = self._db
        if db._inline is not None:
            return db._inline
        if not db.is_postgresql:
            raise DatabaseError("the database is not open")
        self._pooled = db.read()
        return await self._pooled.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            await pooled.__aexit__(*exc)
