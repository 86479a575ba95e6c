"""SQL for events (local and remote) and who may see them. Registrations, with the capacity
rule, are in fedi.db.event_registrations."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from fedi.core.timeutil import from_db, to_db
from fedi.db.connection import Connection, Reader, Row

JOIN_MODES = ("open", "approval", "external", "none")


@dataclass(frozen=True)
class Event:
    id: int
    uri: str
    url: str | None
    organiser_id: int
    group_id: int | None
    is_local: bool
    is_public: bool
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    online_url: str | None
    language: str | None
    capacity: int | None
    join_mode: str
    remote_participant_count: int | None
    remote_remaining_capacity: int | None
    is_cancelled: bool
    sequence: int
    created_at: datetime
    updated_at: datetime

    def changed(self, **fields: object) -> Event:
        """The event with new values, its SEQUENCE raised (RFC 5545 §3.8.7.4)."""
        return replace(self, sequence=self.sequence + 1, **fields)  # type: ignore[arg-type]


COLUMNS = (
    "e.id, e.uri, e.url, e.organiser_id, e.group_id, e.is_local, e.is_public, e.title,"
    " e.description, e.starts_at, e.ends_at, e.time_zone, e.online_url, e.language, e.capacity,"
    " e.join_mode, e.remote_participant_count, e.remote_remaining_capacity, e.is_cancelled,"
    " e.sequence, e.created_at, e.updated_at"
)


def event_from_row(row: Row | tuple[object, ...]) -> Event:
    r = tuple(row)
    return Event(
        id=int(str(r[0])), uri=str(r[1]), url=_opt(r[2]), organiser_id=int(str(r[3])),
        group_id=int(str(r[4])) if r[4] is not None else None, is_local=bool(r[5]),
        is_public=bool(r[6]), title=str(r[7]), description=str(r[8]),
        starts_at=from_db(str(r[9])), ends_at=from_db(str(r[10])), time_zone=str(r[11]),
        online_url=_opt(r[12]), language=_opt(r[13]),
        capacity=int(str(r[14])) if r[14] is not None else None, join_mode=str(r[15]),
        remote_participant_count=int(str(r[16])) if r[16] is not None else None,
        remote_remaining_capacity=int(str(r[17])) if r[17] is not None else None,
        is_cancelled=bool(r[18]), sequence=int(str(r[19])), created_at=from_db(str(r[20])),
        updated_at=from_db(str(r[21])),
    )  # fmt: skip


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _values(event: Event) -> tuple[object, ...]:
    return (
        event.uri, event.url, event.organiser_id, event.group_id, int(event.is_local),
        int(event.is_public), event.title, event.description, to_db(event.starts_at),
        to_db(event.ends_at), event.time_zone, event.online_url, event.language, event.capacity,
        event.join_mode, event.remote_participant_count, event.remote_remaining_capacity,
        int(event.is_cancelled), event.sequence, to_db(event.created_at), to_db(event.updated_at),
    )  # fmt: skip


_NAMES = (
    "uri, url, organiser_id, group_id, is_local, is_public, title, description, starts_at,"
    " ends_at, time_zone, online_url, language, capacity, join_mode, remote_participant_count,"
    " remote_remaining_capacity, is_cancelled, sequence, created_at, updated_at"
)


def insert_event(conn: Connection, event: Event) -> None:
    conn.execute(
        f"INSERT INTO events (id, {_NAMES}) VALUES (?, {', '.join('?' for _ in range(21))})",
        (event.id, *_values(event)),
    )


def update_event(conn: Connection, event: Event) -> None:
    """Write every field of the event (its id and uri stay)."""
    names = [n.strip() for n in _NAMES.split(",")][1:]
    conn.execute(
        f"UPDATE events SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
        (*_values(event)[1:], event.id),
    )


def delete_event(conn: Connection, event_id: int) -> None:
    conn.execute("DELETE FROM events WHERE id = ?", (event_id,))


def event_by_id(conn: Connection, event_id: int) -> Event | None:
    """In a write job: the event as it is now."""
    row = conn.execute(f"SELECT {COLUMNS} FROM events e WHERE e.id = ?", (event_id,)).fetchone()
    return event_from_row(row) if row else None


async def get_event(conn: Reader, event_id: int) -> Event | None:
    cursor = await conn.execute(f"SELECT {COLUMNS} FROM events e WHERE e.id = ?", (event_id,))
    row = await cursor.fetchone()
    return event_from_row(row) if row else None


async def get_by_uri(conn: Reader, uri: str) -> Event | None:
    cursor = await conn.execute(f"SELECT {COLUMNS} FROM events e WHERE e.uri = ?", (uri,))
    row = await cursor.fetchone()
    return event_from_row(row) if row else None


def visible_clause(viewer_id: int | None) -> tuple[str, list[object]]:
    """Who may know an event exists: anyone for a public one; otherwise its organiser, and the
    members and moderators of its space (not banned), or, for a remote event of no space sent
    without Public, the organiser's accepted followers. Never an event whose organiser is
    suspended."""
    alive = (
        "NOT EXISTS (SELECT 1 FROM accounts o WHERE o.id = e.organiser_id"
        " AND o.suspended_at IS NOT NULL)"
    )
    if viewer_id is None:
        return f" AND e.is_public = 1 AND {alive}", []
    clause = (
        f" AND {alive} AND (e.is_public = 1 OR e.organiser_id = ?"
        " OR (e.group_id IS NOT NULL AND (EXISTS (SELECT 1 FROM group_moderators m"
        "   WHERE m.group_id = e.group_id AND m.account_id = ?)"
        "  OR EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?"
        "   AND f.followed_id = e.group_id"
        "   AND f.state = 'accepted' AND NOT EXISTS (SELECT 1 FROM group_bans b"
        "   WHERE b.group_id = e.group_id AND b.account_id = ?))))"
        " OR (e.group_id IS NULL AND e.is_local = 0 AND EXISTS (SELECT 1 FROM follows f"
        "   WHERE f.follower_id = ? AND f.followed_id = e.organiser_id AND f.state = 'accepted')))"
    )
    return clause, [viewer_id] * 5


async def visible_event(conn: Reader, event_id: int, viewer_id: int | None) -> Event | None:
    where, args = visible_clause(viewer_id)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM events e WHERE e.id = ?{where}", (event_id, *args)
    )
    row = await cursor.fetchone()
    return event_from_row(row) if row else None


async def upcoming(
    conn: Reader,
    viewer_id: int | None,
    now: datetime,
    *,
    group_id: int | None = None,
    limit: int = 40,
    max_id: int | None = None,
) -> list[Event]:
    """Events not over yet that the viewer may see, soonest first (of one space, if given)."""
    where, args = visible_clause(viewer_id)
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM events e WHERE e.ends_at >= ?"
        " AND (? IS NULL OR e.group_id = ?) AND (? IS NULL OR e.id < ?)"
        f"{where} ORDER BY e.starts_at, e.id LIMIT ?",
        (to_db(now), group_id, group_id, max_id, max_id, *args, limit),
    )
    return [event_from_row(row) for row in await cursor.fetchall()]


async def local_organised_by(conn: Reader, organiser_id: int) -> list[Event]:
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM events e WHERE e.organiser_id = ? ORDER BY e.starts_at",
        (organiser_id,),
    )
    return [event_from_row(row) for row in await cursor.fetchall()]


async def moderated_among(conn: Reader, account_id: int, group_ids: list[int]) -> set[int]:
    """Which of these spaces the account moderates (one statement for a list)."""
    ids = list(dict.fromkeys(group_ids))
    if not ids:
        return set()
    cursor = await conn.execute(
        "SELECT group_id FROM group_moderators WHERE account_id = ?"
        f" AND group_id IN ({', '.join('?' for _ in ids)})",
        [account_id, *ids],
    )
    return {int(row[0]) for row in await cursor.fetchall()}


def flag_update(conn: Connection, event_id: int) -> None:
    """The event's counts changed: an Update{Event} is due (fedi.events.loop)."""
    conn.execute("UPDATE events SET update_pending = 1 WHERE id = ? AND is_local = 1", (event_id,))


async def pending_updates(conn: Reader, limit: int) -> list[int]:
    cursor = await conn.execute(
        "SELECT id FROM events WHERE update_pending = 1 ORDER BY id LIMIT ?", (limit,)
    )
    return [int(row[0]) for row in await cursor.fetchall()]


def take_update(conn: Connection, event_id: int) -> bool:
    """Clear the flag; False when another round took it first."""
    cursor = conn.execute(
        "UPDATE events SET update_pending = 0 WHERE id = ? AND update_pending = 1", (event_id,)
    )
    return cursor.rowcount == 1


async def remote_participants(conn: Reader, event_id: int) -> list[int]:
    """Remote accounts registered (and not cancelled or refused): they hear of changes."""
    cursor = await conn.execute(
        "SELECT r.account_id FROM event_registrations r JOIN accounts a ON a.id = r.account_id"
        " WHERE r.event_id = ? AND a.domain IS NOT NULL"
        " AND r.state IN ('accepted', 'pending', 'waitlisted')",
        (event_id,),
    )
    return [int(row[0]) for row in await cursor.fetchall()]


# -- members' time zones ------------------------------------------------------------------------


async def time_zone_of(conn: Reader, account_id: int) -> str | None:
    cursor = await conn.execute(
        "SELECT time_zone FROM member_time_zones WHERE account_id = ?", (account_id,)
    )
    row = await cursor.fetchone()
    return str(row[0]) if row else None


def set_time_zone(conn: Connection, account_id: int, time_zone: str | None) -> None:
    if time_zone is None:
        conn.execute("DELETE FROM member_time_zones WHERE account_id = ?", (account_id,))
        return
    conn.execute(
        "INSERT INTO member_time_zones (account_id, time_zone) VALUES (?, ?)"
        " ON CONFLICT (account_id) DO UPDATE SET time_zone = excluded.time_zone",
        (account_id, time_zone),
    )
