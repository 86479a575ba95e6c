"""How a timeline page is read at a cost that depends on the page, not on history.

A timeline is a condition on statuses (`member`: which statuses belong; `rules`: what every row
must also meet, such as what the viewer hides) read newest first, `limit` rows at a time. Two
ways reach its rows:
  * the **window**: walk the statuses table by id, newest first, over at most WINDOW rows below
    the page's upper bound, keeping those that meet the condition; when the timeline's rows are
    dense (a member following many active accounts, the public timeline) the page fills here;
  * the **sources**: index-ordered ways to the candidates (one's own posts, each followed
    account's posts, one's mentions, a hashtag's posts...), each read newest first below the
    window and stopping after the rows still missing; their union holds the page, because every
    row of the page is among the first rows of its own source. This serves sparse timelines
    (few follows, quiet accounts, a rare hashtag) without walking the whole table.
Either way the rows are exactly those the plain query (`member AND rules ORDER BY id LIMIT`)
returns; only the cost differs. Paging follows Mastodon: max_id and since_id read newest first
below/above them, min_id the page just above it (oldest first, returned newest first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fedi.core.ids import MAX_ID
from fedi.core.models import Status
from fedi.db.connection import Reader
from fedi.db.status_rows import KEYS, versioned

WINDOW = 2000  # statuses walked by id before the sources take over

Sql = tuple[str, list[object]]


@dataclass(frozen=True)
class Page:
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = 20


def paging(page: Page, column: str = "s.id") -> tuple[str, list[int | None], str]:
    """The WHERE clause (to append after a condition), its arguments and the order for a page
    over `column` (positive ids): a range an index on `column` reads directly, however deep
    the page."""
    clause = f" AND {column} < ? AND {column} > ?"
    lower = page.min_id if page.min_id is not None else page.since_id
    order = "ASC" if page.min_id is not None else "DESC"  # min_id: the page just above it
    below = MAX_ID if page.max_id is None else page.max_id
    return clause, [below, 0 if lower is None else lower], order


@dataclass(frozen=True)
class Bounds:
    """The id range still to read, exclusive at both ends (None: open), and the direction."""

    below: int | None
    above: int | None
    order: str  # "DESC" or "ASC"

    def on(self, column: str) -> Sql:
        """` AND` conditions keeping `column` inside the range (an open end is bounded by the
        extreme ids, so that every read is an index range, plain in its query plan)."""
        below = MAX_ID if self.below is None else self.below
        above = 0 if self.above is None else self.above
        return f" AND {column} < ? AND {column} > ?", [below, above]


# A source: given the row condition (over alias `s`, as ` AND ...` text), the bounds and how
# many rows are wanted, the SQL selecting candidate ids, in the bounds' order.
Source = Callable[[Sql, Bounds, int], Sql]


@dataclass(frozen=True)
class Timeline:
    """`member`: which statuses belong, for the window walk (None: no window, the sources are
    dense enough to read on their own); `rules`: ` AND` conditions every row meets; `sources`:
    index-ordered ways to every row that can belong."""

    member: Sql | None
    rules: Sql
    sources: tuple[Source, ...]


async def _edge(conn: Reader, bounds: Bounds) -> int | None:
    """The id WINDOW statuses away from where the page starts, or None when fewer remain."""
    if bounds.order == "DESC":
        sql = "SELECT id FROM statuses WHERE id < ? ORDER BY id DESC"
        start = MAX_ID if bounds.below is None else bounds.below
    else:
        sql = "SELECT id FROM statuses WHERE id > ? ORDER BY id ASC"
        start = 0 if bounds.above is None else bounds.above
    cursor = await conn.execute(f"{sql} LIMIT 1 OFFSET ?", (start, WINDOW))
    row = await cursor.fetchone()
    return int(row[0]) if row else None


async def _rows(conn: Reader, sql: str, args: list[object]) -> list[Status]:
    cursor = await conn.execute(sql, args)
    return await versioned(conn, await cursor.fetchall())


async def read(conn: Reader, timeline: Timeline, page: Page) -> list[Status]:
    """One page of the timeline, newest first."""
    order = "ASC" if page.min_id is not None else "DESC"
    lower = page.min_id if page.min_id is not None else page.since_id
    bounds = Bounds(page.max_id, lower, order)
    if timeline.member is None:
        found = await _from_sources(conn, timeline, bounds, page.limit)
        return found if order == "DESC" else found[::-1]
    member, member_args = timeline.member
    rules, rules_args = timeline.rules
    edge = await _edge(conn, bounds)
    window = bounds
    if edge is not None and order == "DESC":  # the window ends at the edge (kept in it)
        above = edge - 1 if bounds.above is None else max(edge - 1, bounds.above)
        window = Bounds(bounds.below, above, order)
    elif edge is not None:
        below = edge + 1 if bounds.below is None else min(edge + 1, bounds.below)
        window = Bounds(below, bounds.above, order)
    within, within_args = window.on("s.id")
    found = await _rows(
        conn,
        f"SELECT {KEYS} FROM statuses s NOT INDEXED WHERE ({member}){rules}{within}"
        f" ORDER BY s.id {order} LIMIT ?",
        [*member_args, *rules_args, *within_args, page.limit],
    )
    rest = Bounds(
        window.above + 1 if order == "DESC" and window.above is not None else bounds.below,
        window.below - 1 if order == "ASC" and window.below is not None else bounds.above,
        order,
    )
    exhausted = window == bounds
    missing = page.limit - len(found)
    if missing > 0 and not exhausted and timeline.sources:
        found += await _from_sources(conn, timeline, rest, missing)
    return found if order == "DESC" else found[::-1]


async def _from_sources(
    conn: Reader, timeline: Timeline, bounds: Bounds, wanted: int
) -> list[Status]:
    """The first `wanted` rows in `bounds` through the sources: each source's first `wanted`
    rows meeting the rules, merged."""
    parts = [source(timeline.rules, bounds, wanted) for source in timeline.sources]
    union = " UNION ".join(sql for sql, _ in parts)
    args = [arg for _, part_args in parts for arg in part_args]
    return await _rows(
        conn,
        f"SELECT {KEYS} FROM statuses s WHERE s.id IN ({union})"
        f" ORDER BY s.id {bounds.order} LIMIT ?",
        [*args, wanted],
    )


# Sources shared by several timelines -------------------------------------------------------


def ordered(rows: str, key: str, condition: Sql, *, distinct: bool = False) -> Source:
    """The statuses `rows` holds (a FROM clause naming the statuses `s`) that meet
    `condition`, read in the order of `key`, an index's column holding their ids: the shape of
    every source (`distinct` when a status can stand in several rows, as with attachments)."""

    def source(rules: Sql, bounds: Bounds, wanted: int) -> Sql:
        within, within_args = bounds.on(key)
        return (
            f"SELECT * FROM (SELECT {'DISTINCT ' if distinct else ''}{key} FROM {rows}"
            f" WHERE {condition[0]}{rules[0]}{within} ORDER BY {key} {bounds.order} LIMIT ?)",
            [*condition[1], *rules[1], *within_args, wanted],
        )

    return source


def by_account(account_id: int) -> Source:
    """One account's statuses (index statuses_account)."""
    return ordered("statuses s", "s.id", ("s.account_id = ?", [account_id]))


def by_accounts(accounts: Sql, extra: Sql = ("", [])) -> Source:
    """The statuses of each account that `accounts` selects (a query of one column named
    account_id), each account's read on its own through the statuses_account index."""

    def source(rules: Sql, bounds: Bounds, wanted: int) -> Sql:
        within, within_args = bounds.on("s.id")
        return (
            each(
                f"({accounts[0]})",
                f"SELECT s.id FROM statuses s WHERE s.account_id = src.account_id{extra[0]}"
                f"{rules[0]}{within} ORDER BY s.id {bounds.order} LIMIT ?",
            ),
            [*accounts[1], *extra[1], *rules[1], *within_args, wanted],
        )

    return source


def each(rows: str, ids: str) -> str:
    """The status ids that `ids` (a query of one column, correlated with `rows`, named `src`,
    and ending in LIMIT) selects for each row of `rows`. SQLite runs `x.id IN (ids)` once per
    row of `rows`; PostgreSQL needs it written as a LATERAL join to do the same (else it runs
    the subquery once per status)."""
    return (
        f"SELECT x.id FROM {rows} AS src /*sqlite*/JOIN statuses x ON x.id IN/*end*/"
        f"/*pg: CROSS JOIN LATERAL*/ ({ids})/*pg: AS x(id)*/"
    )
