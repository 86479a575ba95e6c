"""SQL for what a page shows beside each status, for many statuses at once: how often each was
favourited, boosted and answered (counts_of, for anyone), and with those, for one viewer, what
they did to each (favourited, boosted, bookmarked, pinned, voted) and which of the page's
accounts they follow (seen_by): one statement each, whatever the number of statuses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fedi.db.connection import Reader


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
    """Rows (0 favourites | 1 boosts | 2 replies, status id, count) of the counts that are not
    zero, as the triggers of migration 0041 keep them; the last parameter says whether
    local-only replies count."""
    return (
        f"SELECT 0, status_id, favourites FROM status_stats WHERE status_id IN ({marks})"
        " AND favourites > 0"
        f" UNION ALL SELECT 1, status_id, reblogs FROM status_stats WHERE status_id IN ({marks})"
        " AND reblogs > 0"
        " UNION ALL SELECT 2, status_id,"
        " replies + CASE WHEN ? = 1 THEN local_only_replies ELSE 0 END"
        f" FROM status_stats WHERE status_id IN ({marks})"
        " AND replies + CASE WHEN ? = 1 THEN local_only_replies ELSE 0 END > 0"
    )


async def counts_of(
    conn: Reader, status_ids: Iterable[int], *, with_local_only: bool
) -> StatusCounts:
    """Favourites, boosts, and public and unlisted replies (local-only ones too
    with_local_only, as fedi.db.statuses.count_replies counts them), by status id."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return StatusCounts()
    local = int(with_local_only)
    cursor = await conn.execute(_counts_sql(_marks(ids)), [*ids, *ids, local, *ids, local])
    found: tuple[dict[int, int], dict[int, int], dict[int, int]] = ({}, {}, {})
    for kind, status_id, count in await cursor.fetchall():
        found[kind][status_id] = count
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
    account_ids: Iterable[int], counted: Iterable[int] | None = None,
) -> SeenBy:  # fmt: skip
    """counts_of (with local-only replies) of `counted` (all the statuses when None), what the
    viewer did to the statuses, the options they chose in their polls (in order), and which of
    the accounts they follow (as fedi.db.follows.followed_among), in one statement."""
    ids = list(dict.fromkeys(status_ids))
    accounts = list(dict.fromkeys(account_ids))
    if not ids:
        return SeenBy(StatusCounts(), ViewerDid(), frozenset(), {})
    marks = _marks(ids)
    counted_ids = ids if counted is None else list(dict.fromkeys(counted)) or [0]
    cursor = await conn.execute(
        # with local-only replies: the viewer is a member here
        _counts_sql(_marks(counted_ids)) +
        f" UNION ALL SELECT 3, status_id, 0 FROM favourites WHERE account_id = ?"
        f" AND status_id IN ({marks})"
        # `+account_id`: look each post's boosts up (statuses_reblog), never walk all of the
        # viewer's statuses.
        " UNION ALL SELECT 4, reblog_of_id, 0 FROM statuses"
        f" WHERE +account_id = ? AND reblog_of_id IN ({marks})"
        " UNION ALL SELECT 5, status_id, 0 FROM bookmarks"
        f" WHERE account_id = ? AND status_id IN ({marks})"
        " UNION ALL SELECT 6, status_id, 0 FROM status_pins"
        f" WHERE account_id = ? AND status_id IN ({marks})"
        " UNION ALL SELECT 7, status_id, choice FROM poll_votes"
        f" WHERE account_id = ? AND status_id IN ({marks})"
        # One lookup per account in follows_follower_followed (migration 0023).
        " UNION ALL SELECT 8, followed_id, 0 FROM follows WHERE follower_id = ?"
        f" AND state = 'accepted' AND followed_id IN ({_marks(accounts)})",
        [*counted_ids, *counted_ids, 1, *counted_ids, 1, viewer_id, *ids, viewer_id, *ids,
         viewer_id, *ids, viewer_id, *ids, viewer_id, *ids, viewer_id, *accounts],
    )  # fmt: skip
    counts: tuple[dict[int, int], dict[int, int], dict[int, int]] = ({}, {}, {})
    did: tuple[set[int], set[int], set[int], set[int]] = (set(), set(), set(), set())
    choices: dict[int, list[int]] = {}
    followed: set[int] = set()
    for kind, key, value in await cursor.fetchall():
        if kind < 3:
            counts[kind][key] = value
        elif kind < 7:
            did[kind - 3].add(key)
        elif kind == 7:
            choices.setdefault(key, []).append(value)
        else:
            followed.add(key)
    for chosen in choices.values():
        chosen.sort()
    return SeenBy(
        StatusCounts(*counts), ViewerDid(*(frozenset(d) for d in did)), frozenset(followed),
        dict(sorted(choices.items())),
    )  # fmt: skip
