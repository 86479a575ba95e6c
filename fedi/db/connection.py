"""What the query functions ask of a connection, whichever the database: sqlite3's and
aiosqlite's connections are these as they are (SQLite pays nothing), and so are the
PostgreSQL adapters of fedi.db.postgres."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol, overload

Parameters = Sequence[Any] | Mapping[str, Any]


class Row(Protocol):
    """A result row, read by position or by column name (sqlite3.Row)."""

    @overload
    def __getitem__(self, key: int | str, /) -> Any: ...

    @overload
    def __getitem__(self, key: slice, /) -> tuple[Any, ...]: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """A statement's result in the writer (sqlite3.Cursor)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The writer's connection, inside the batch's transaction (sqlite3.Connection)."""

    def execute(self, sql: str, parameters: Parameters = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Parameters], /) -> Cursor: ...


class ReadCursor(Protocol):
    """A statement's result on a reader (aiosqlite.Cursor)."""

    @property
    def rowcount(self) -> int: ...

    async def fetchone(self) -> Row | None: ...

    async def fetchall(self) -> Iterable[Row]: ...


class ReadResult(Protocol):
    """What Reader.execute returns: awaited, or entered with `async with` (aiosqlite's)."""

    def __await__(self) -> Generator[Any, None, ReadCursor]: ...

    async def __aenter__(self) -> ReadCursor: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None: ...


class Reader(Protocol):
    """A reader connection (aiosqlite.Connection), outside any write transaction."""

    def execute(self, sql: str, parameters: Parameters | None = None, /) -> ReadResult: ...
