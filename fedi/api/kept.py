"""Viewer-independent parts of entities kept between requests: a page shows the same recent
statuses and authors again and again, and rendering them costs more than reading them.

Each value is kept with the stamp it was made from (the models, counts and settings it reads);
a lookup hands it back only when the caller's stamp is equal, so that an edited post, a new
count or a changed profile is rendered afresh at once, without any write having to tell this
module. What depends on the viewer (favourited, bookmarked, filters, access) is never kept.
The oldest entries go first past a fixed size."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Kept(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: dict[K, tuple[object, V]] = {}

    def get(self, key: K, stamp: object) -> V | None:
        found = self._kept.get(key)
        if found is None or found[0] != stamp:
            return None
        return found[1]

    def put(self, key: K, stamp: object, value: V) -> None:
        if key not in self._kept and len(self._kept) >= self._size:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = (stamp, value)

    def __len__(self) -> int:
        return len(self._kept)
