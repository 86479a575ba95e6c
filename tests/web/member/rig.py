"""What the member-page tests set up besides members and posts: a locked account, a filter, and
a counter of the SQL statements a page runs."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

import aiosqlite
import pytest

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import Database, accounts, filters


async def set_locked(context: Context, account_id: int) -> Account:
    """Lock an account (follows then wait for its answer); the account as it is now."""
    await context.db.write(
        lambda conn: conn.execute("UPDATE accounts SET is_locked = 1 WHERE id = ?", (account_id,))
    )
    async with context.db.read() as conn:
        found = await accounts.get_by_id(conn, account_id)
    assert found is not None and found.is_locked
    return found


async def add_filter(
    context: Context, account_id: int, keyword: str, action: str, contexts: tuple[str, ...]
) -> None:
    now = to_db(utcnow())

    def write(conn: sqlite3.Connection) -> None:
        filter_id = filters.insert_filter(
            conn, account_id, f"about {keyword}", contexts, action, None, now
        )
        filters.insert_keyword(conn, filter_id, keyword, False, now)

    await context.db.write(write)


Reader = Callable[[Database], AbstractAsyncContextManager[Any]]


class Statements:
    """Every SQL statement the readers run while counting."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.on = False

    def __call__(self, sql: str) -> None:
        if self.on:
            self.seen.append(sql)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.seen, self.on = [], True
        try:
            yield self.seen
        finally:
            self.on = False


def count_statements(monkeypatch: pytest.MonkeyPatch) -> Statements:
    """Trace every reader connection of every Database (writes are not pages' cost)."""
    counter = Statements()
    plain_read, plain_read_now = Database.read, Database.read_now

    def traced(plain: Reader) -> Reader:
        @asynccontextmanager
        async def reader(self: Database) -> AsyncIterator[aiosqlite.Connection]:
            async with plain(self) as conn:
                assert isinstance(conn, aiosqlite.Connection)
                await conn.set_trace_callback(counter)
                try:
                    yield conn
                finally:
                    await conn.set_trace_callback(None)  # type: ignore[arg-type]  # None ends the trace

        return reader

    monkeypatch.setattr(Database, "read", traced(plain_read))
    monkeypatch.setattr(Database, "read_now", traced(plain_read_now))
    return counter
