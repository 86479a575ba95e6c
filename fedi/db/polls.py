"""SQL for polls and their votes: the counts kept on the poll row, one row per vote, the pending
Update{Question} flag and the end of a poll (closed_at, processed once)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from fedi.core.ids import new_id
from fedi.core.models import Poll, PollOption
from fedi.db.connection import Connection, Reader, Row
from fedi.db.rows import json_list, opt_time

_COLUMNS = "options, is_multiple, voters_count, expires_at, hide_totals"


class VoteConflict(Exception):
    """The account already voted (for this option, or at all on a single-choice poll)."""


@dataclass(frozen=True)
class NewVote:
    id: int
    choice: int
    uri: str | None = None


def _options(raw: str) -> tuple[PollOption, ...]:
    return tuple(
        PollOption(str(o.get("title", "")), int(o.get("votes", 0) or 0))
        for o in json_list(raw)
        if isinstance(o, dict)
    )


def _poll(row: Row | Row) -> Poll:
    return Poll(
        options=_options(row[0]),
        is_multiple=bool(row[1]),
        voters_count=row[2],
        expires_at=opt_time(row[3]),
        hide_totals=bool(row[4]),
    )


def _dump(options: Iterable[PollOption]) -> str:
    return json.dumps([{"title": o.title, "votes": o.votes} for o in options])


async def get(conn: Reader, status_id: int) -> Poll | None:
    cursor = await conn.execute(f"SELECT {_COLUMNS} FROM polls WHERE status_id = ?", (status_id,))
    row = await cursor.fetchone()
    return _poll(row) if row else None


def get_sync(conn: Connection, status_id: int) -> Poll | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM polls WHERE status_id = ?", (status_id,)).fetchone()
    return _poll(row) if row else None


async def own_choices(conn: Reader, status_id: int, account_id: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT choice FROM poll_votes WHERE status_id = ? AND account_id = ? ORDER BY choice",
        (status_id, account_id),
    )
    return [int(row[0]) for row in await cursor.fetchall()]


async def has_voted(conn: Reader, status_id: int, account_id: int) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM poll_votes WHERE status_id = ? AND account_id = ? LIMIT 1",
        (status_id, account_id),
    )
    return await cursor.fetchone() is not None


def add_votes(
    conn: Connection,
    status_id: int,
    account_id: int,
    votes: list[NewVote],
    *,
    is_multiple: bool,
    now: str,
) -> bool:
    """Record votes, all or none (Mastodon's rule: one vote on a single-choice poll, one per
    option on a multiple-choice one). Returns whether the account is a new voter."""
    earlier = {
        int(row[0])
        for row in conn.execute(
            "SELECT choice FROM poll_votes WHERE status_id = ? AND account_id = ?",
            (status_id, account_id),
        )
    }
    choices = [v.choice for v in votes]
    if (
        (earlier and not is_multiple)
        or (len(choices) > 1 and not is_multiple)
        or earlier & set(choices)
        or len(set(choices)) != len(choices)
    ):
        raise VoteConflict("already voted")
    if any(v.uri for v in votes):
        marks = ", ".join("?" for _ in votes)
        uris = [v.uri for v in votes]
        if conn.execute(f"SELECT 1 FROM poll_votes WHERE uri IN ({marks})", uris).fetchone():
            raise VoteConflict("this vote was already counted")
    conn.executemany(
        "INSERT INTO poll_votes (id, status_id, account_id, choice, uri, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(v.id, status_id, account_id, v.choice, v.uri, now) for v in votes],
    )
    return not earlier


def recount(conn: Connection, status_id: int, *, pending_update: bool) -> None:
    """Counts of one of our polls, from its votes (inside the vote's own transaction)."""
    poll = get_sync(conn, status_id)
    if poll is None:
        return
    tallies: dict[int, int] = {
        int(row[0]): int(row[1])
        for row in conn.execute(
            "SELECT choice, count(*) FROM poll_votes WHERE status_id = ? GROUP BY choice",
            (status_id,),
        )
    }
    voters = conn.execute(
        "SELECT count(DISTINCT account_id) FROM poll_votes WHERE status_id = ?", (status_id,)
    ).fetchone()[0]
    options = [PollOption(o.title, tallies.get(i, 0)) for i, o in enumerate(poll.options)]
    conn.execute(
        "UPDATE polls SET options = ?, voters_count = ?,"
        " update_pending = max(update_pending, ?) WHERE status_id = ?",
        (_dump(options), int(voters), int(pending_update), status_id),
    )


def add_to_counts(conn: Connection, status_id: int, choices: list[int], new_voter: bool) -> None:
    """Our own vote on a remote poll shows at once; the author's next Update has the truth."""
    poll = get_sync(conn, status_id)
    if poll is None:
        return
    options = [PollOption(o.title, o.votes + choices.count(i)) for i, o in enumerate(poll.options)]
    voters = (poll.voters_count or 0) + (1 if new_voter else 0)
    conn.execute(
        "UPDATE polls SET options = ?, voters_count = ? WHERE status_id = ?",
        (_dump(options), voters, status_id),
    )


def set_counts(conn: Connection, status_id: int, poll: Poll) -> None:
    """The counts (and end) of a remote poll as its author's server now reports them."""
    conn.execute(
        "UPDATE polls SET options = ?, voters_count = ?, expires_at = ? WHERE status_id = ?",
        (
            _dump(poll.options),
            poll.voters_count,
            poll.expires_at.isoformat() if poll.expires_at else None,
            status_id,
        ),
    )


async def pending_updates(conn: Reader, limit: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT status_id FROM polls WHERE update_pending = 1 ORDER BY status_id LIMIT ?", (limit,)
    )
    return [int(row[0]) for row in await cursor.fetchall()]


def take_update(conn: Connection, status_id: int) -> bool:
    """Clear the pending flag; False if another tick took it first."""
    return (
        conn.execute(
            "UPDATE polls SET update_pending = 0 WHERE status_id = ? AND update_pending = 1",
            (status_id,),
        ).rowcount
        == 1
    )


async def due_to_close(conn: Reader, now: str, limit: int) -> list[int]:
    """Polls past their end whose end was not processed yet. julianday() compares the stored
    times whatever their UTC offset."""
    cursor = await conn.execute(
        "SELECT status_id FROM polls WHERE closed_at IS NULL AND expires_at IS NOT NULL"
        " AND julianday(expires_at) <= julianday(?) ORDER BY expires_at LIMIT ?",
        (now, limit),
    )
    return [int(row[0]) for row in await cursor.fetchall()]


def mark_closed(conn: Connection, status_id: int, now: str) -> bool:
    """Mark the end as processed; False if it already was (so it happens exactly once)."""
    return (
        conn.execute(
            "UPDATE polls SET closed_at = ?, update_pending = 0"
            " WHERE status_id = ? AND closed_at IS NULL",
            (now, status_id),
        ).rowcount
        == 1
    )


def local_voters(conn: Connection, status_id: int) -> list[int]:
    return [
        int(row[0])
        for row in conn.execute(
            "SELECT DISTINCT v.account_id FROM poll_votes v JOIN accounts a ON a.id = v.account_id"
            " WHERE v.status_id = ? AND a.domain IS NULL ORDER BY v.account_id",
            (status_id,),
        )
    ]


async def remote_voters(conn: Reader, status_id: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT DISTINCT v.account_id FROM poll_votes v JOIN accounts a ON a.id = v.account_id"
        " WHERE v.status_id = ? AND a.domain IS NOT NULL ORDER BY v.account_id",
        (status_id,),
    )
    return [int(row[0]) for row in await cursor.fetchall()]


def notify_ended(
    conn: Connection, account_ids: Iterable[int], author_id: int, status_id: int, now: str
) -> None:
    """`poll` notifications, from the poll's author (to the author too, as Mastodon does)."""
    conn.executemany(
        "INSERT INTO notifications (id, account_id, type, from_account_id, status_id, created_at)"
        " VALUES (?, ?, 'poll', ?, ?, ?)",
        [(new_id(), a, author_id, status_id, now) for a in dict.fromkeys(account_ids)],
    )
