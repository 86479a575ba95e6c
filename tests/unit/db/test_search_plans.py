"""Searches read through their indexes, never the whole history: EXPLAIN QUERY PLAN of every
statement a search runs (people, hashtags, a window of posts) on the benchmark's network shows
the full-text tables matched (FTS5 MATCH) or an index range, each row then fetched by its key,
and no scan of the accounts, statuses or tags tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bench.seed import Seeded
from fedi.core.ids import MAX_ID
from fedi.db import account_search, status_matches, tag_search
from fedi.db.fulltext import match_of

# Plans and index internals of SQLite itself.
pytestmark = pytest.mark.sqlite_only

SLOW = (
    "SCAN a\n",
    "SCAN accounts\n",
    "SCAN s\n",
    "SCAN statuses\n",
    "SCAN t\n",
    "SCAN status_tags",
)


async def plans_of(
    conn: aiosqlite.Connection, read: Callable[[], Awaitable[Any]]
) -> list[tuple[str, str]]:
    """(statement, its plan, one detail a line) for each statement `read` runs (not those FTS5
    runs inside on its own shadow tables, traced too)."""
    ran: list[str] = []
    await conn.set_trace_callback(ran.append)
    try:
        await read()
    finally:
        await conn.set_trace_callback(None)  # type: ignore[arg-type]  # None ends the trace
    found = []
    for sql in ran:
        if not sql.startswith("SELECT") or "'main'." in sql:
            continue
        cursor = await conn.execute(f"EXPLAIN QUERY PLAN {sql}")
        found.append((sql, "".join(f"{row[3]}\n" for row in await cursor.fetchall())))
    return found


def assert_indexed(found: list[tuple[str, str]], table: str | None) -> None:
    assert found
    for sql, plan in found:
        for slow in SLOW:
            assert slow not in plan, f"{slow.strip()} in\n{plan}for\n{sql}"
        if table is not None:
            # FTS5 answers MATCH through its own index ("M" in the chosen index's string).
            assert f"SCAN {table} VIRTUAL TABLE INDEX" in plan and ":M" in plan, plan


async def test_people_are_found_through_the_full_text_table(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded]
) -> None:
    viewer = network[1].members[0]
    for username, domain, following in [
        ("m00", None, False), ("member 1", None, False), ("r1", "h01.example.org", False),
        ("m", "", True), ("m0001", None, False),
    ]:  # fmt: skip

        async def read(username: str = username, domain: str | None = domain,
                       following: bool = following) -> Any:  # fmt: skip
            return await account_search.search(
                conn, username, domain, viewer_id=viewer, following_only=following, limit=40,
                offset=0,
            )  # fmt: skip

        assert await read(), username
        assert_indexed(await plans_of(conn, read), "m")


async def test_a_window_of_posts_is_read_through_the_full_text_table(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded]
) -> None:
    seeded = network[1]
    for words, account_id in [
        ("report", None),
        ("court hear", None),
        ("witness", seeded.remote[3]),
    ]:
        match = match_of(words)
        assert match is not None

        async def read(match: str = match, account_id: int | None = account_id) -> Any:
            return await status_matches.window(
                conn, match, seeded.members[0], "2000-01-01", below=MAX_ID, above=0, size=40,
                account_id=account_id,
            )  # fmt: skip

        window = await read()
        assert window.lowest is not None, words
        assert_indexed(await plans_of(conn, read), "status_search")


async def test_hashtags_are_a_range_of_their_index(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded]
) -> None:
    async def read() -> Any:
        return await tag_search.search(conn, "theme1", 10)

    assert await read()
    found = await plans_of(conn, read)
    assert_indexed(found, None)
    for _, plan in found:
        assert "status_tags_name (name>? AND name<?)" in plan, plan
