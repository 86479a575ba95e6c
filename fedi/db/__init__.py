"""The database: one writer thread with group commit, and a small pool of aiosqlite readers.

Every write is a plain function of a sqlite3 connection, queued to the single writer thread. The
writer drains whatever has queued up, runs each job inside its own SAVEPOINT (one failing job
rolls back alone) and commits the whole batch once: under load many writes share one fsync and
no write pays a thread hand-off per statement. Readers are aiosqlite connections on the same
WAL-mode file, so reads never wait for the writer; reads bounded by a page use one more
connection on the event loop's thread (fedi.db.reads).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from fedi.db.migrate import apply_migrations
from fedi.db.reads import LoopReader

T = TypeVar("T")
WriteJob = Callable[[sqlite3.Connection], T]
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


@dataclass
class _Job:
    run: Callable[[sqlite3.Connection], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any] = field(repr=False)


_STOP = object()


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._jobs: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._reader_list: list[aiosqlite.Connection] = []
        self._commit_hooks: tuple[CommitHook, ...] = ()
        self._loop_reader: LoopReader | None = None

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
        now = connect(self.path)
        now.execute("PRAGMA query_only=ON")
        # Pages read the same recent rows again and again: keep them (32 MiB at most).
        now.execute("PRAGMA cache_size=-32000")
        self._loop_reader = LoopReader(now)
        return applied

    async def close(self) -> None:
        if self._loop_reader is not None:
            self._loop_reader.close()
            self._loop_reader = None
        for reader in self._reader_list:
            await reader.close()
        self._reader_list.clear()
        self._readers = None
        if self._writer is not None:
            self._jobs.put(_STOP)
            await asyncio.to_thread(self._writer.join)
            self._writer = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._readers is None:
            raise DatabaseError("the database is not open")
        reader = await self._readers.get()
        try:
            yield reader
        finally:
            self._readers.put_nowait(reader)

    @asynccontextmanager
    async def read_now(self) -> AsyncIterator[LoopReader]:
        """A reader on the event loop's own thread, for reads bounded by a page (see
        fedi.db.reads): no thread hand-off per statement."""
        if self._loop_reader is None:
            raise DatabaseError("the database is not open")
        yield self._loop_reader

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
        self._jobs.put(_Job(run=job, loop=loop, future=future))
        return await future

    def _write_loop(self, conn: sqlite3.Connection) -> None:
        try:
            while True:
                first = self._jobs.get()
                if first is _STOP:
                    return
                batch = [first]
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        self._jobs.put(_STOP)
                        break
                    batch.append(item)
                self._run_batch(conn, [j for j in batch if isinstance(j, _Job)])
        finally:
            conn.close()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        outcomes: list[tuple[_Job, bool, Any]] = []
        committed: list[Callable[[], None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = job.run(conn)
                except BaseException as exc:  # the job's own error goes back to its caller
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((job, False, exc))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((job, True, result))
            committed = self._before_commit(conn)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.exception("write batch of %d jobs failed", len(batch))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(job, False, exc) for job in batch]
            committed = []
        for after in committed:
            try:
                after()
            except Exception:
                log.exception("commit hook failed after commit")
        for job, ok, value in outcomes:
            job.loop.call_soon_threadsafe(_settle, job.future, ok, value)

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


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
