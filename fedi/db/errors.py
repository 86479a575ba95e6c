"""Failed writes: undoing one job of the writer's batch, and what an error says about the
machine rather than the request."""

from __future__ import annotations

import errno
import sqlite3

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def out_of_space(exc: BaseException) -> bool:
    """Whether the error, or one it was raised from, is the disk (or the database's size cap)
    being full: SQLite's SQLITE_FULL, or ENOSPC/EDQUOT when a file was written."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error) and (
            getattr(current, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or "database or disk is full" in str(current)
        ):
            return True
        if isinstance(current, OSError) and current.errno in _NO_SPACE:
            return True
        current = current.__cause__ or current.__context__
    return False


def undo_job(conn: sqlite3.Connection, exc: BaseException) -> None:
    """Roll back the failed job's savepoint (the batch's other jobs stay); when SQLite has ended
    the whole transaction itself (a full disk does), the job's error fails the whole batch."""
    if not conn.in_transaction:
        raise exc
    conn.execute("ROLLBACK TO job")
    conn.execute("RELEASE job")
