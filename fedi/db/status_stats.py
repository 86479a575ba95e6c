"""SQL for what a page shows beside each status, for many statuses at once: how often each was
favourited, boosted and answered (counts_of, for anyone), and with those, for one viewer, what
they did to each (favourited, boosted, bookmarked, pinned, voted) and which of the page's
accounts they follow (seen_by): one statement each, whatever the number of statuses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fedi.db.connection import Reader, Row


@dataclass(frozen=True)
class StatusCounts:
    favourites: dict[int, int] = field(default_factory=dict)
    reblogs: dict[int, int] = field(default_factory=dict)
    replies: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ViewerDid:
    favourited: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    bookmarked: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()


def _marks(ids: list[int]) -> str:
    return ", ".join("?" for _ in ids)


def _counts_sql(marks: str) -> str:
    """Rows (0, status id, favourites, boosts, replies) of the statuses with any count that is
    not zero, as the triggers of migration 0041 keep them, each status's row read once; the
    first parameter says whether local-only replies count."""
    return (
        "SELECT 0, status_id, favourites, reblogs,"
        " replies + CASE WHEN ? = 1 THEN local_only_replies ELSE 0 END FROM status_stats"
        f" WHERE status_id IN ({marks})"
        " AND (favourites > 0 OR reblogs > 0 OR replies > 0 OR local_only_replies > 0)"
    )


def _add_counts(found: tuple[dict[int, int], dict[int, int], dict[int, int]], row: Row) -> None:
    status_id = row[1]
    for counts, value in zip(found, row[2:5], strict=True):
        if value > 0:
            counts[status_id] = value


async def counts_of(
    conn: Reader, status_ids: Iterable[int], *, with_local_only: bool
) -> StatusCounts:
    """Favourites, boosts, and public and unlisted replies (local-only ones too
    with_local_only, as fedi.db.statuses.count_replies counts them), by status id."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return StatusCounts()
    cursor = await conn.execute(_counts_sql(_marks(ids)), [int(with_local_only), *ids])
    found: tuple[dict[int, int], dict[int, int], dict[int, int]] = ({}, {}, {})
    for row in await cursor.fetchall():
        _add_counts(found, row)
    return StatusCounts(*found)


@dataclass(frozen=True)
class SeenBy:
    """What a page shows beside its statuses for one viewer (fedi.statuses.batch)."""

    counts: StatusCounts
    did: ViewerDid
    followed: frozenset[int]  # the accounts among those asked for that the viewer follows
    poll_choices: dict[int, list[int]]


async def seen_by(
    conn: Reader, viewer_id: int, status_ids: Iterable[int],
    account_ids: Iterable[int], counted: Iterable[int] | None = None, *,
    authored: Iterable[int] | None = None, polled: Iterable[int] | None = None,
) -> SeenBy:  # fmt: skip
    """counts_of (with local-only replies) of `counted` (all the statuses when None), what the
    viewer did to the statuses, the options they chose in their polls (in order), and which of
    the accounts they follow (as fedi.db.follows.followed_among), in one statement. `authored`
    (the viewer's own posts among them) and `polled` narrow the statuses looked up for pins (a
    member pins only their own posts) and for votes (only a post with a poll has any); None:
    all of them."""
    ids = list(dict.fromkeys(status_ids))
    accounts = list(dict.fromkeys(account_ids))
    if not ids:
        return SeenBy(StatusCounts(), ViewerDid(), frozenset(), {})
    marks = _marks(ids)
    counted_ids = ids if counted is None else list(dict.fromkeys(counted)) or [0]
    pinnable = ids if authored is None else list(dict.fromkeys(authored))
    voted = ids if polled is None else list(dict.fromkeys(polled))
    sql = (
        # with local-only replies: the viewer is a member here
        _counts_sql(_marks(counted_ids))
        + f" UNION ALL SELECT 3, status_id, 0, 0, 0 FROM favourites WHERE account_id = ?"
        f" AND status_id IN ({marks})"
        # `+account_id`: look each post's boosts up (statuses_reblog), never walk all of the
        # viewer's statuses.
        " UNION ALL SELECT 4, reblog_of_id, 0, 0, 0 FROM statuses"
        f" WHERE +account_id = ? AND reblog_of_id IN ({marks})"
        " UNION ALL SELECT 5, status_id, 0, 0, 0 FROM bookmarks"
        f" WHERE account_id = ? AND status_id IN ({marks})"
        # One lookup per account in follows_follower_followed (migration 0023).
        " UNION ALL SELECT 8, followed_id, 0, 0, 0 FROM follows WHERE follower_id = ?"
        f" AND state = 'accepted' AND followed_id IN ({_marks(accounts) or 'NULL'})"
    )
    values: list[object] = [1, *counted_ids, viewer_id, *ids, viewer_id, *ids, viewer_id, *ids]
    values += [viewer_id, *accounts]
    if pinnable:
        sql += " UNION ALL SELECT 6, status_id, 0, 0, 0 FROM status_pins"
        sql += f" WHERE account_id = ? AND status_id IN ({_marks(pinnable)})"
        values += [viewer_id, *pinnable]
    if voted:
        sql += " UNION ALL SELECT 7, status_id, choice, 0, 0 FROM poll_votes"
        sql += f" WHERE account_id = ? AND status_id IN ({_marks(voted)})"
        values += [viewer_id, *voted]
    cursor = await conn.execute(sql, values)
    counts: tuple[dict[int, int], dict[int, int], dict[int, int]] = ({}, {}, {})
    did: tuple[set[int], set[int], set[int], set[int]] = (set(), set(), set(), set())
    choices: dict[int, list[int]] = {}
    followed: set[int] = set()
    for row in await cursor.fetchall():
        kind, key = row[0], row[1]
        if kind == 0:
            _add_counts(counts, row)
        elif kind < 7:
            did[kind - 3].add(key)
        elif kind == 7:
            choices.setdefault(key, []).append(row[2])
        else:
            followed.add(key)
    for chosen in choices.values():
        chosen.sort()
    return SeenBy(
        StatusCounts(*counts), ViewerDid(*(frozenset(d) for d in did)), frozenset(followed),
        dict(sorted(choices.items())),
    )  # fmt: skip
