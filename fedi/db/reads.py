"""What a read function of fedi.db needs of its connection (`Reads`), and the reader that runs on
the event loop's own thread.

Most reads go to an aiosqlite connection, whose thread keeps a slow query from holding up the
server; each statement then costs two thread hand-offs, more than a small indexed statement costs
SQLite itself. Reads whose cost is bounded by a page (a timeline walk, a page's batch, a token
lookup: fedi.db.walk and the statements tests/unit/db/test_timeline_plans.py checks) run instead
on the loop thread through `LoopReader`, statement after statement, with no hand-off at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol


class Rows(Protocol):
    async def fetchone(self) -> sqlite3.Row | None: ...

    async def fetchall(self) -> Iterable[sqlite3.Row]: ...


class Reads(Protocol):
    """An aiosqlite connection, or a LoopReader."""

    def execute(self, sql: str, parameters: Any = ...) -> Awaitable[Rows]: ...


class _LoopRows:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._cursor.fetchone()
        return row

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._cursor.fetchall()


class LoopReader:
    """A read-only connection used from the event loop's thread: each statement runs at once and
    is fetched whole before anything else runs, so coroutines sharing it never interleave inside
    a statement."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, parameters: Any = ()) -> _LoopRows:
        return _LoopRows(self._conn.execute(sql, parameters))

    async def set_trace_callback(self, callback: Callable[[str], object] | None) -> None:
        """As aiosqlite's: every statement run is passed to `callback` (tests count them)."""
        self._conn.set_trace_callback(callback)

    def close(self) -> None:
        self._conn.close()
