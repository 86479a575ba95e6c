"""SQL on posts by their ActivityPub ids: whether they are stored here or tombstoned, for one
post, for a batch of inbound Creates at once, or inside the write that would store one."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.db.connection import Connection, Reader

CHUNK = 500  # ids per query: well under SQLite's limit on parameters
_PRESENCE = (
    "SELECT EXISTS (SELECT 1 FROM statuses WHERE uri = ?),"
    " EXISTS (SELECT 1 FROM tombstones WHERE uri = ?)"
)


async def presence(conn: Reader, uri: str) -> tuple[bool, bool]:
    """Whether a post with this id is stored, and whether it is tombstoned (one indexed read)."""
    cursor = await conn.execute(_PRESENCE, (uri, uri))
    row = await cursor.fetchone()
    return (bool(row[0]), bool(row[1])) if row else (False, False)


async def present_among(conn: Reader, uris: Iterable[str]) -> frozenset[str]:
    """Which of these ids are stored or tombstoned."""
    wanted = list(dict.fromkeys(uris))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        marks = ", ".join("?" * len(chunk))
        cursor = await conn.execute(
            f"SELECT uri FROM statuses WHERE uri IN ({marks})"
            f" UNION SELECT uri FROM tombstones WHERE uri IN ({marks})",
            [*chunk, *chunk],
        )
        found.update(row[0] for row in await cursor.fetchall())
    return frozenset(found)


def is_present(conn: Connection, uri: str) -> bool:
    """In a write: whether a post with this id is stored or tombstoned."""
    row = conn.execute(_PRESENCE, (uri, uri)).fetchone()
    return bool(row[0] or row[1])
