"""The writer's jobs and how a batch of them runs: one transaction per batch, a savepoint per
job (or per bulk write), the commit hooks before COMMIT, and each waiting event loop woken once
(Database queues the jobs; this is the writer thread's side, the same on both databases)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fedi.db.connection import Connection
from fedi.db.errors import DATABASE_ERRORS, out_of_space

log = logging.getLogger("fedi.db")

ALONE = object()  # a job's `item` when it is a plain write job
Outcome = tuple["Job", bool, Any]


class WriterConnection(Connection, Protocol):
    """The writer's own connection: sqlite3's, or fedi.db.postgres.PgConnection."""

    @property
    def in_transaction(self) -> bool: ...

    def close(self) -> None: ...


# Runs in the writer thread inside each batch's transaction, just before COMMIT; what it returns
# (if anything) is called in the writer thread once that batch has committed.
CommitHook = Callable[[Any], Callable[[], None] | None]


@dataclass
class Job:
    # A write job; or, when `item` is given, a bulk writer and one item for it.
    run: Callable[..., Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any] = field(repr=False)
    item: Any = ALONE


def run_batch(
    conn: WriterConnection,
    begin: Callable[[], None],
    batch: list[Job],
    hooks: tuple[CommitHook, ...],
) -> None:
    outcomes: list[Outcome] = []
    committed: list[Callable[[], None]] = []
    bulks: dict[Callable[..., Any], list[Job]] = {}
    for job in batch:
        if job.item is not ALONE:
            bulks.setdefault(job.run, []).append(job)
    try:
        begin()
        for job in batch:
            if job.item is ALONE:
                outcomes.append(_run_job(conn, job))
            elif (together := bulks.pop(job.run, None)) is not None:
                outcomes += _run_bulk(conn, job.run, together)
        committed = _before_commit(conn, hooks)
        conn.execute("COMMIT")
    except DATABASE_ERRORS as exc:
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
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].loop, []).append(outcome)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle_all, settled)
        except RuntimeError:  # that loop is closed: nobody is waiting any more
            log.warning("%d write results for a closed event loop dropped", len(settled))


def _before_commit(
    conn: WriterConnection, hooks: tuple[CommitHook, ...]
) -> list[Callable[[], None]]:
    after: list[Callable[[], None]] = []
    for hook in hooks:
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


def _run_job(conn: WriterConnection, job: Job) -> tuple[Job, bool, Any]:
    conn.execute("SAVEPOINT job")
    try:
        result = job.run(conn)
    except BaseException as exc:  # the job's own error goes back to its caller
        undo_job(conn, exc)
        return job, False, exc
    conn.execute("RELEASE job")
    return job, True, result


def _run_bulk(
    conn: WriterConnection, bulk: Callable[..., Any], jobs: list[Job]
) -> list[tuple[Job, bool, Any]]:
    conn.execute("SAVEPOINT job")
    try:
        bulk(conn, [job.item for job in jobs])
    except BaseException as exc:  # every item's caller learns of the error
        undo_job(conn, exc)
        return [(job, False, exc) for job in jobs]
    conn.execute("RELEASE job")
    return [(job, True, None) for job in jobs]


def _settle_all(outcomes: list[tuple[Job, bool, Any]]) -> None:
    for job, ok, value in outcomes:
        if job.future.done():
            continue
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)


def undo_job(conn: WriterConnection, exc: BaseException) -> None:
    """Roll back the failed job's savepoint (the batch's other jobs stay); when the database
    has ended the whole transaction itself (SQLite on a full disk), the job's error fails the
    whole batch."""
    if not conn.in_transaction:
        raise exc
    conn.execute("ROLLBACK TO job")
    conn.execute("RELEASE job")
