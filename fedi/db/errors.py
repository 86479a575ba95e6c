"""Failed writes: the errors of either database, and what an error says about the machine
rather than the request."""

from __future__ import annotations

import errno
import sqlite3

import psycopg
from psycopg import errors as pg_errors

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)

# Catch these, not one driver's classes: the same code runs on SQLite and on PostgreSQL.
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)


def out_of_space(exc: BaseException) -> bool:
    """Whether the error, or one it was raised from, is the disk (or the database's size cap)
    being full: SQLite's SQLITE_FULL, PostgreSQL's disk_full, or ENOSPC/EDQUOT when a file
    was written."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error) and (
            getattr(current, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or "database or disk is full" in str(current)
        ):
            return True
        if isinstance(current, pg_errors.DiskFull):
            return True
        if isinstance(current, OSError) and current.errno in _NO_SPACE:
            return True
        current = current.__cause__ or current.__context__
    return False
