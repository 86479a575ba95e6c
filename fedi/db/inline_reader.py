"""SQLite's inline reader: an aiosqlite connection whose calls run at once in the event loop's
thread, for short indexed reads where a thread hand-off costs more than the query
(Database.read_now and Database.inline_reads)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import Result

T = TypeVar("T")


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
        # Pages read the same recent rows again and again: keep them (32 MiB at most).
        conn.execute("PRAGMA cache_size=-32000")
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
