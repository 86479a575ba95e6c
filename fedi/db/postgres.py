"""PostgreSQL connections with sqlite3's and aiosqlite's surface (fedi.db.connection): the
writer's synchronous psycopg connection and the readers' asynchronous ones, each statement
translated once (fedi.db.pg_sql), rows read by position or by column name as sqlite3.Row.

Parameters are bound client side (psycopg's ClientCursor): SQLite infers nothing from a
parameter's type, and neither do the queries written for it (`? IS NULL`, a number compared with
text), which server-side binding would refuse. Booleans go in as 0 and 1, as SQLite stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any

import psycopg
from psycopg.adapt import AdaptersMap, Dumper, Loader
from psycopg.pq import TransactionStatus
from psycopg.rows import RowMaker

from fedi.db.connection import Parameters
from fedi.db.pg_sql import translate

_INT8 = psycopg.postgres.types["int8"].oid


class PgRow(tuple[Any, ...]):
    """A result row: by position, by column name (any case) and keys(), like sqlite3.Row."""

    __slots__ = ()
    # Each row class has its own, never changed: the columns' names, and by name (lower case)
    # the position of the first column of that name.
    _names: tuple[str, ...] = ()
    _index: dict[str, int] = {}  # noqa: RUF012

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key.lower()])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


_ROW_CLASSES: dict[tuple[str, ...], type[PgRow]] = {}


def _row_class(names: tuple[str, ...]) -> type[PgRow]:
    found = _ROW_CLASSES.get(names)
    if found is None:
        index: dict[str, int] = {}
        for position, name in enumerate(names):
            index.setdefault(name.lower(), position)
        attributes = {"__slots__": (), "_names": names, "_index": index}
        found = _ROW_CLASSES[names] = type("PgRow", (PgRow,), attributes)
    return found


def _rows(cursor: Any) -> RowMaker[PgRow]:
    description = cursor.description
    if description is None:
        return PgRow
    return _row_class(tuple(column.name for column in description))


class _BoolAsInt(Dumper):
    oid = _INT8

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"

    def quote(self, obj: Any) -> bytes:
        return self.dump(obj)


class _NumericAsNumber(Loader):
    """sum() and avg() of integers are numeric in PostgreSQL: an int when whole, as SQLite's."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        value = Decimal(text)
        return int(value) if value == value.to_integral_value() else float(value)


def _adapt(adapters: AdaptersMap) -> None:
    adapters.register_dumper(bool, _BoolAsInt)
    adapters.register_loader("numeric", _NumericAsNumber)


def _bound(sql: str, parameters: Parameters | None) -> tuple[str, Parameters]:
    statement = translate(sql)
    if parameters is None:
        return statement.sql, ()
    if isinstance(parameters, dict):
        return statement.sql, {name: _text(value) for name, value in parameters.items()}
    if statement.numbered:
        return statement.sql, {f"p{n}": _text(value) for n, value in enumerate(parameters, 1)}
    return statement.sql, [_text(value) for value in parameters]


def _text(value: object) -> object:
    """PostgreSQL's text cannot hold NUL, which SQLite's can: a NUL (only ever sent by a
    hostile or broken client) is stored and looked up as U+FFFD."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


# Every connection's settings: no JIT compilation. fedi's statements are short index walks whose
# planned cost can still pass jit_above_cost (a subquery per row, estimated pessimistically); the
# compilation then takes seconds where running the plan takes milliseconds.
SESSION = b"SET jit = off"


# The writer's: a transaction left open without a statement for this long is ended by the
# server. The writer runs a batch's statements one after the other, in milliseconds; a process
# that stops in the middle of one (paused, or hung) would otherwise keep its locks, the inbox's
# claim lock among them, and hold up every other process's writes until it went on or died.
WRITER_SESSION = b"SET idle_in_transaction_session_timeout = '30s'"


def _writer_connection(url: str) -> psycopg.Connection[PgRow]:
    conn = psycopg.connect(
        url, autocommit=True, row_factory=_rows, cursor_factory=psycopg.ClientCursor
    )
    _adapt(conn.adapters)
    conn.execute(SESSION)
    conn.execute(WRITER_SESSION)
    return conn


async def _reader_connection(url: str) -> psycopg.AsyncConnection[PgRow]:
    conn = await psycopg.AsyncConnection.connect(
        url, autocommit=True, row_factory=_rows, cursor_factory=psycopg.AsyncClientCursor
    )
    _adapt(conn.adapters)
    await conn.execute(SESSION)
    return conn


def is_postgresql(conn: object) -> bool:
    """Whether a connection is PostgreSQL's: for the few statements written per dialect."""
    return isinstance(conn, PgConnection | PgReader)


class PgConnection:
    """The writer's connection: autocommit, so that BEGIN, SAVEPOINT and COMMIT are the
    writer's own statements, as on its sqlite3 connection."""

    is_postgresql = True

    def __init__(self, conn: psycopg.Connection[PgRow], url: str) -> None:
        self._conn = conn
        self._url = url

    @classmethod
    def connect(cls, url: str) -> PgConnection:
        return cls(_writer_connection(url), url)

    def begin(self, setup: Sequence[Callable[[PgConnection], object]] = ()) -> None:
        """BEGIN the writer's next batch. A connection lost while idle (the server restarted,
        the connection was ended or timed out) shows only when used: then the batch begins on
        a new one, made ready by `setup` (the session's state went with the old one), since
        nothing had run in it yet. A connection lost inside a batch fails that batch alone."""
        if not self._conn.closed:
            try:
                self._conn.execute(b"BEGIN")
                return
            except psycopg.OperationalError:
                if not self._conn.closed:
                    raise
        self._reopen(setup)
        self._conn.execute(b"BEGIN")

    def _reopen(self, setup: Sequence[Callable[[PgConnection], object]]) -> None:
        self._conn.close()
        self._conn = _writer_connection(self._url)
        try:
            for prepare in setup:
                self._conn.execute(b"BEGIN")
                prepare(self)
                self._conn.execute(b"COMMIT")
        except BaseException:
            self._conn.close()  # the next batch tries again, from a new connection
            raise

    @property
    def in_transaction(self) -> bool:
        # A lost connection's status is UNKNOWN: its transaction is gone with it.
        status = self._conn.info.transaction_status
        return status not in (TransactionStatus.IDLE, TransactionStatus.UNKNOWN)

    def execute(self, sql: str, parameters: Parameters | None = None, /) -> psycopg.Cursor[PgRow]:
        query, bound = _bound(sql, parameters)
        return self._conn.execute(query, bound)

    def executemany(self, sql: str, parameters: Iterable[Parameters], /) -> psycopg.Cursor[PgRow]:
        statement = translate(sql)
        cursor = self._conn.cursor()
        cursor.executemany(statement.sql, [_bound(sql, row)[1] for row in parameters])
        return cursor

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write rows into a table with COPY (fedi.db.copy), many times faster than INSERTs;
        returns how many."""
        names = ", ".join(f'"{column}"' for column in columns)
        count = 0
        statement = f'COPY "{table}" ({names}) FROM STDIN'.encode()
        with self._conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def execute_script(self, sql: str) -> None:
        """Statements as they are, untranslated and all at once (PostgreSQL's own migrations)."""
        self._conn.execute(sql.encode())

    def close(self) -> None:
        self._conn.close()


class PgReadCursor:
    """A reader's result, fetched already (a reader's statements are short)."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: psycopg.AsyncCursor[PgRow]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    async def fetchone(self) -> PgRow | None:
        return await self._cursor.fetchone()

    async def fetchall(self) -> list[PgRow]:
        return await self._cursor.fetchall()


class PgReadResult:
    """Reader.execute's answer: awaited or entered, as aiosqlite's Result."""

    __slots__ = ("_run",)

    def __init__(self, run: Callable[[], Any]) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, PgReadCursor]:
        return self._run().__await__()  # type: ignore[no-any-return]

    async def __aenter__(self) -> PgReadCursor:
        cursor: PgReadCursor = await self._run()
        return cursor

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None:
        return None


class PgReader:
    """A reader connection, in autocommit: each read sees what has committed. A read that
    fails because the connection is lost (the server restarted, the connection was ended or
    timed out) is read again, once, on a new connection: reads change nothing."""

    is_postgresql = True

    def __init__(self, conn: psycopg.AsyncConnection[PgRow], url: str) -> None:
        self._conn = conn
        self._url = url

    @classmethod
    async def connect(cls, url: str) -> PgReader:
        return cls(await _reader_connection(url), url)

    def execute(self, sql: str, parameters: Parameters | None = None, /) -> PgReadResult:
        return PgReadResult(lambda: self._execute(sql, parameters))

    async def _execute(self, sql: str, parameters: Parameters | None) -> PgReadCursor:
        query, bound = _bound(sql, parameters)
        if not self._conn.closed:
            try:
                return PgReadCursor(await self._conn.execute(query, bound))
            except psycopg.OperationalError:
                if not self._conn.closed:
                    raise
        await self._conn.close()
        self._conn = await _reader_connection(self._url)
        return PgReadCursor(await self._conn.execute(query, bound))

    async def close(self) -> None:
        await self._conn.close()
