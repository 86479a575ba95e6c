"""Models built from rows, kept between requests: pages read the same recent accounts and
statuses again and again, and building (or even reading) their models costs more than the page's
other work. RowMemo keys a model by the row's whole content, VersionMemo by its id and version
(migration 0040 raises the version on every change): either way a changed row is another key, so
a stale model is never returned and no write has to tell this module anything; the oldest
entries go first past a fixed size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, TypeVar

from fedi.db.connection import Row

T = TypeVar("T")
Rows = Iterable[tuple[int, int, T]]  # (id, version, model) of rows read


class RowMemo(Generic[T]):
    """`build(row)` for rows of one query shape (the same columns in the same order), kept for
    the last `size` distinct rows."""

    def __init__(self, build: Callable[[Row], T], size: int) -> None:
        self._build = build
        self._size = size
        self._kept: dict[tuple[object, ...], T] = {}

    def __call__(self, row: Row) -> T:
        key = tuple(row)
        found = self._kept.get(key)
        if found is None:
            found = self._build(row)
            if len(self._kept) >= self._size:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = found
        return found

    def __len__(self) -> int:
        return len(self._kept)


class VersionMemo(Generic[T]):
    """Models kept by (id, row_version) (migration 0040: every change to a row raises its
    version), for the last `size` of them: a page reads two small columns per row and builds,
    or even reads, only the rows it has not seen in that version."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: dict[tuple[int, int], T] = {}

    def get(self, key: tuple[int, int]) -> T | None:
        return self._kept.get(key)

    def put(self, key: tuple[int, int], model: T) -> None:
        if key not in self._kept and len(self._kept) >= self._size:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = model

    def __len__(self) -> int:
        return len(self._kept)

    async def kept_or_read(
        self, keys: Iterable[tuple[int, int]], read: Callable[[list[int]], Awaitable[Rows[T]]]
    ) -> dict[int, T]:
        """By id, the models of (id, version) keys: those kept for that version, and the others
        from `read(ids)` ((id, version, model) for each row still there), kept for next time."""
        found: dict[int, T] = {}
        missing: list[int] = []
        for key in keys:
            model = self._kept.get(key)
            if model is None:
                missing.append(key[0])
            else:
                found[key[0]] = model
        if missing:
            for row_id, version, model in await read(missing):
                self.put((row_id, version), model)
                found[row_id] = model
        return found
