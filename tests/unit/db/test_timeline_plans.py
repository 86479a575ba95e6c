"""Every statement a timeline page runs reads its rows in index order and stops when the page is
full: SQLite's EXPLAIN QUERY PLAN for each shows no scan of the statuses table, no OR of indexes
that gathers every candidate, and no sort of them, except the final merge of the sources, which
sorts at most (sources x page size) rows. A query rewritten back to its slow shape fails here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite
import pytest

from bench.seed import Seeded
from fedi.core.models import Status
from fedi.db import group_pages, lists, pins, statuses, timelines, walk
from fedi.db.timelines import TagQuery
from fedi.db.walk import Page

# Plans and index internals of SQLite itself.
pytestmark = pytest.mark.sqlite_only

# Plan details that mean the cost grows with the instance's history.
SLOW = ("SCAN s\n", "SCAN statuses\n", "statuses_reblog (reblog_of_id=?)", "STATUSES BY OR\n")


def _plan_text(rows: list[tuple[int, int, int, str]]) -> str:
    """The plan, one detail a line; an OR of indexes over statuses (gathering every candidate
    of each index, then sorting them) is named STATUSES BY OR."""
    children: dict[int, list[tuple[int, str]]] = {}
    for node, parent, _, detail in rows:
        children.setdefault(parent, []).append((node, detail))

    def below(node: int) -> list[str]:
        return [d for n, d in children.get(node, []) for d in (d, *below(n))]

    lines = []
    for node, _, _, detail in rows:
        lines.append(detail)
        if detail == "MULTI-INDEX OR" and any(
            d.startswith(("SEARCH s ", "SEARCH statuses ")) for d in below(node)
        ):
            lines.append("STATUSES BY OR")
    return "".join(f"{line}\n" for line in lines)


async def plans_of(
    conn: aiosqlite.Connection, read: Callable[[], Awaitable[list[Status]]]
) -> list[tuple[str, str]]:
    """(statement, its plan) for each statement `read` runs."""
    ran: list[str] = []
    await conn.set_trace_callback(ran.append)
    try:
        await read()
    finally:
        await conn.set_trace_callback(None)  # type: ignore[arg-type]  # None ends the trace
    found = []
    for sql in ran:
        cursor = await conn.execute(f"EXPLAIN QUERY PLAN {sql}")
        rows = [(int(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in await cursor.fetchall()]
        found.append((sql, _plan_text(rows)))
    return found


def assert_paged(found: list[tuple[str, str]]) -> None:
    assert found
    for sql, plan in found:
        for slow in SLOW:
            assert slow not in plan, f"{slow.strip()} in\n{plan}for\n{sql}"
        merging = sql.startswith(f"SELECT {statuses.KEYS} FROM statuses s WHERE s.id IN (")
        if not merging:
            assert "TEMP B-TREE FOR ORDER BY" not in plan, f"{plan}for\n{sql}"


@pytest.fixture(params=[walk.WINDOW, 13], ids=["window", "tiny-window"])
def window(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    size: int = request.param
    monkeypatch.setattr(walk, "WINDOW", size)
    return size


async def test_home_and_list_pages_read_in_index_order(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded], window: int
) -> None:
    seeded = network[1]
    for viewer in (seeded.members[0], seeded.members[-1], seeded.remote[0]):
        for page in (Page(), Page(max_id=2**62), Page(since_id=1), Page(min_id=1)):
            assert_paged(await plans_of(conn, lambda v=viewer, p=page: timelines.home(conn, v, p)))  # type: ignore[misc]
    owned = [o for m in seeded.members for o in await lists.lists_of(conn, m)][0]  # noqa: RUF015
    assert_paged(await plans_of(conn, lambda: timelines.list_timeline(conn, owned, Page())))


async def test_public_and_hashtag_pages_read_in_index_order(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded], window: int
) -> None:
    viewer = network[1].members[1]
    for local in (None, True, False):
        for media in (False, True):

            def public(lo: bool | None = local, m: bool = media) -> Awaitable[list[Status]]:
                return timelines.public(conn, lo, Page(), viewer, m)

            assert_paged(await plans_of(conn, public))
    query = TagQuery(any=("theme1", "theme2"), all=("theme2",), none=("theme3",), only_media=True)
    assert_paged(await plans_of(conn, lambda: timelines.tag(conn, query, Page(), None)))


async def test_account_and_group_pages_read_in_index_order(
    conn: aiosqlite.Connection, network: tuple[Path, Seeded]
) -> None:
    seeded = network[1]
    member, group = seeded.members[2], seeded.groups[-1]
    for media in (False, True):
        for boosts in (False, True):

            def account(m: bool = media, b: bool = boosts) -> Awaitable[list[Status]]:
                return statuses.public_page(conn, member, None, 20, only_media=m, with_reblogs=b)

            assert_paged(await plans_of(conn, account))
    assert_paged(await plans_of(conn, lambda: pins.pinned_public(conn, member, 20)))
    for members_view in (False, True):

        def group_posts(view: bool = members_view) -> Awaitable[list[Status]]:
            return group_pages.posts_page(conn, group, None, 20, members_view=view)

        assert_paged(await plans_of(conn, group_posts))
