"""The database: one writer thread with group commit, and a small pool of aiosqlite readers.

Every write is a plain function of a sqlite3 connection, queued to the single writer thread. The
writes made during one turn of the event loop are handed over together (one queue put, one wake
of the writer); the writer drains whatever has queued up, runs each job inside its own SAVEPOINT
(one failing job rolls back alone), commits the whole batch once and wakes each waiting event
loop once for the batch: under load many writes share one fsync and no write pays a thread
hand-off of its own. Readers are aiosqlite connections on the same WAL-mode file, so reads never
wait for the writer.

Small indexed reads (the inbox worker's, a page's batch) cost more in thread hand-offs than in
SQLite: `inline_reads()` (a task and those it starts) and `read_now()` (one block of reads) read
on one more connection in the event loop's own thread, with no hand-off at all.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import Result

from fedi.db import status_search
from fedi.db.errors import out_of_space, undo_job
from fedi.db.migrate import apply_migrations

T = TypeVar("T")
Item = TypeVar("Item")
WriteJob = Callable[[sqlite3.Connection], T]
# Writes a list of items with one statement (executemany): see Database.write_together.
BulkWrite = Callable[[sqlite3.Connection, list[Item]], None]
# Runs in the writer thread inside each batch's transaction, just before COMMIT; what it returns
# (if anything) is called in the writer thread once that batch has committed.
CommitHook = Callable[[sqlite3.Connection], Callable[[], None] | None]
log = logging.getLogger(__name__)

MAX_BATCH = 512
READERS = 4


class DatabaseError(Exception):
    """The database file cannot be opened or used; the message is fit for an operator."""


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


_ALONE = object()  # a job's `item` when it is a plain write job


@dataclass
class _Job:
    # A write job; or, when `item` is given, a bulk writer and one item for it.
    run: Callable[..., Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any] = field(repr=False)
    item: Any = _ALONE


_STOP = object()


class _InlineCursor(aiosqlite.Cursor):
    """A cursor of the inline reader: each fetch runs at once."""

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._cursor.fetchone()
        return row

    async def fetchmany(self, size: int | None = None) -> list[sqlite3.Row]:
        return self._cursor.fetchmany(self.arraysize if size is None else size)

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._cursor.fetchall()


class InlineReader(aiosqlite.Connection):
    """An aiosqlite connection whose calls run at once in the calling thread (the event loop's):
    the same query functions work on it, without a thread hand-off per call. Only for short
    indexed reads: a long query here holds up the whole event loop."""

    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("PRAGMA cache_size=-32000")  # pages reread recent rows: 32 MiB of them
        super().__init__(lambda: conn, iter_chunk_size=64)
        self._connection = conn  # open already: no thread is started for it

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def execute(self, sql: str, parameters: Any = None) -> Result[aiosqlite.Cursor]:
        # As aiosqlite's (awaitable, or an async context manager), without its hops.
        return Result(self._run(sql, () if parameters is None else parameters))

    async def _run(self, sql: str, parameters: Any) -> aiosqlite.Cursor:
        return _InlineCursor(self, self._conn.execute(sql, parameters))

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


# The inline reader (and its database) that Database.read() hands out in this task, if any.
_INLINE: ContextVar[tuple[Database, InlineReader] | None] = ContextVar(
    "fedi_inline_reader", default=None
)


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._jobs: queue.SimpleQueue[list[_Job] | object] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._reader_list: list[aiosqlite.Connection] = []
        self._inline: InlineReader | None = None
        self._commit_hooks: tuple[CommitHook, ...] = (status_search.flush,)  # words, first
        # Writes made during this turn of the event loop, handed to the writer together at its
        # end by a callback scheduled on that loop.
        self._outgoing: list[_Job] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None

    def add_commit_hook(self, hook: CommitHook) -> None:
        """Watch every committed batch (live streams learn of new rows this way, without
        polling). A hook's own error is logged and never fails the batch."""
        self._commit_hooks = (*self._commit_hooks, hook)

    async def open(self) -> list[str]:
        """Open the file, apply pending migrations, start the writer. Returns migrations applied."""
        conn = connect(self.path)
        try:
            applied = apply_migrations(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise DatabaseError(f"cannot migrate the database {self.path}: {exc}") from None
        status_search.prepare_writer(conn)
        self._writer = threading.Thread(
            target=self._write_loop, args=(conn,), name="fedi-db-writer", daemon=True
        )
        self._writer.start()
        self._readers = asyncio.Queue()
        for _ in range(READERS):
            reader = await aiosqlite.connect(self.path)
            reader.row_factory = sqlite3.Row
            await reader.execute("PRAGMA query_only=ON")
            await reader.execute("PRAGMA busy_timeout=5000")
            self._reader_list.append(reader)
            self._readers.put_nowait(reader)
        self._inline = InlineReader(self.path)
        return applied

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

    @asynccontextmanager
    async def read_now(self) -> AsyncIterator[aiosqlite.Connection]:
        """The inline reader, for reads whose cost is bounded by a page (a timeline walk, a
        page's batch, a token lookup: the statements tests/unit/db/test_timeline_plans.py
        checks), never for a query that may take long."""
        if self._inline is None:
            raise DatabaseError("the database is not open")
        yield self._inline

    @contextmanager
    def inline_reads(self) -> Iterator[None]:
        """Inside, read() in this task (and in tasks started from it) yields the inline reader:
        for bursts of short indexed reads, where a thread hand-off per call costs more than the
        query (the inbox worker)."""
        if self._inline is None:
            raise DatabaseError("the database is not open")
        token = _INLINE.set((self, self._inline))
        try:
            yield
        finally:
            _INLINE.reset(token)

    async def ping(self) -> None:
        """Raises if the database cannot answer a read (for the health check)."""
        async with self.read() as conn:
            await conn.execute("SELECT 1")

    async def write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run job in the writer thread inside a transaction; returns once it is committed."""
        if self._writer is None:
            raise DatabaseError("the database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._hand_over(_Job(run=job, loop=loop, future=future))
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
        self._hand_over(_Job(run=bulk, loop=loop, future=future, item=item))
        await future

    def _hand_over(self, job: _Job) -> None:
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

    def _write_loop(self, conn: sqlite3.Connection) -> None:
        try:
            while True:
                first = self._jobs.get()
                if first is _STOP:
                    return
                batch: list[_Job] = list(first) if isinstance(first, list) else []
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
                self._run_batch(conn, batch)
        finally:
            conn.close()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        outcomes: list[tuple[_Job, bool, Any]] = []
        committed: list[Callable[[], None]] = []
        bulks: dict[Callable[..., Any], list[_Job]] = {}
        for job in batch:
            if job.item is not _ALONE:
                bulks.setdefault(job.run, []).append(job)
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                if job.item is _ALONE:
                    outcomes.append(_run_job(conn, job))
                elif (together := bulks.pop(job.run, None)) is not None:
                    outcomes += _run_bulk(conn, job.run, together)
            committed = self._before_commit(conn)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            # A full disk is the operator's to fix: one line naming it, no traceback.
            log.error("write batch of %d jobs failed: %s", len(batch), exc,
                      exc_info=not out_of_space(exc))  # fmt: skip
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(job, False, exc) for job in batch]
            committed = []
        for after in committed:
            try:
                after()
            except Exception:
                log.exception("commit hook failed after commit")
        # One wake-up per event loop for the whole batch, not one per job.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, bool, Any]]] = {}
        for outcome in outcomes:
            by_loop.setdefault(outcome[0].loop, []).append(outcome)
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle_all, settled)
            except RuntimeError:  # that loop is closed: nobody is waiting any more
                log.warning("%d write results for a closed event loop dropped", len(settled))

    def _before_commit(self, conn: sqlite3.Connection) -> list[Callable[[], None]]:
        after: list[Callable[[], None]] = []
        for hook in self._commit_hooks:
            conn.execute("SAVEPOINT hook")
            try:
                then = hook(conn)
            except Exception:
                log.exception("commit hook failed; the batch commits without it")
                conn.execute("ROLLBACK TO hook")
                conn.execute("RELEASE hook")
                continue
            conn.execute("RELEASE hook")
            if then is not None:
                after.append(then)
        return after


class _Reading:
    """Database.read(): a class, five times cheaper to enter than a generator's (the inbox)."""

    __slots__ = ("_db", "_reader")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._reader: aiosqlite.Connection | None = None

    async def __aenter__(self) -> aiosqlite.Connection:
        inline = _INLINE.get()
        if inline is not None and inline[0] is self._db:
            return inline[1]
        readers = self._db._readers
        if readers is None:
            raise DatabaseError("the database is not open")
        self._reader = await readers.get()
        return self._reader

    async def __aexit__(self, *exc: object) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and self._db._readers is not None:
            self._db._readers.put_nowait(reader)


def _run_job(conn: sqlite3.Connection, job: _Job) -> tuple[_Job, bool, Any]:
    conn.execute("SAVEPOINT job")
    try:
        result = job.run(conn)
    except BaseException as exc:  # the job's own error goes back to its caller
        undo_job(conn, exc)
        return job, False, exc
    conn.execute("RELEASE job")
    return job, True, result


def _run_bulk(
    conn: sqlite3.Connection, bulk: Callable[..., Any], jobs: list[_Job]
) -> list[tuple[_Job, bool, Any]]:
    conn.execute("SAVEPOINT job")
    try:
        bulk(conn, [job.item for job in jobs])
    except BaseException as exc:  # every item's caller learns of the error
        undo_job(conn, exc)
        return [(job, False, exc) for job in jobs]
    conn.execute("RELEASE job")
    return [(job, True, None) for job in jobs]


def _settle_all(outcomes: list[tuple[_Job, bool, Any]]) -> None:
    for job, ok, value in outcomes:
        if job.future.done():
            continue
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)
