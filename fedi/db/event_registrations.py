"""SQL for registrations to events, and the capacity rule: every change of state runs inside one
write job (one transaction on the single writer), so two registrations arriving together can
never both take the last place. (On PostgreSQL the same jobs will lock the event row first.)

States: pending -> accepted | waitlisted | rejected; waitlisted -> accepted when a place frees
up (the oldest first); any -> cancelled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fedi.core.ids import new_id
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row
from fedi.db.events import Event, flag_update
from fedi.db.rows import no_limit

LIVE = ("accepted", "pending", "waitlisted")


@dataclass(frozen=True)
class Registration:
    id: int
    event_id: int
    account_id: int
    state: str
    is_approved: bool
    join_uri: str | None
    message: str
    online_url: str | None
    created_at: datetime
    updated_at: datetime


_COLUMNS = (
    "r.id, r.event_id, r.account_id, r.state, r.is_approved, r.join_uri, r.message,"
    " r.online_url, r.created_at, r.updated_at"
)


def _registration(row: Row | tuple[object, ...]) -> Registration:
    r = tuple(row)
    return Registration(
        int(str(r[0])), int(str(r[1])), int(str(r[2])), str(r[3]), bool(r[4]),
        None if r[5] is None else str(r[5]), str(r[6]), None if r[7] is None else str(r[7]),
        from_db(str(r[8])), from_db(str(r[9])),
    )  # fmt: skip


def accepted_count(conn: Connection, event_id: int) -> int:
    row = conn.execute(
        "SELECT count(*) FROM event_registrations WHERE event_id = ? AND state = 'accepted'",
        (event_id,),
    ).fetchone()
    return int(row[0])


def has_place(conn: Connection, event: Event) -> bool:
    return event.capacity is None or accepted_count(conn, event.id) < event.capacity


def registration(conn: Connection, event_id: int, account_id: int) -> Registration | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM event_registrations r WHERE r.event_id = ? AND r.account_id = ?",
        (event_id, account_id),
    ).fetchone()
    return _registration(row) if row else None


def _set(conn: Connection, reg_id: int, state: str, now: str, **extra: object) -> None:
    sets = "".join(f", {name} = ?" for name in extra)
    conn.execute(
        f"UPDATE event_registrations SET state = ?, updated_at = ?{sets} WHERE id = ?",
        (state, now, *extra.values(), reg_id),
    )
    # A local event's counts changed: its Update{Event} is due (one per round, whatever
    # the number of changes).
    conn.execute(
        "UPDATE events SET update_pending = 1 WHERE is_local = 1"
        " AND id = (SELECT event_id FROM event_registrations WHERE id = ?)",
        (reg_id,),
    )


def register(
    conn: Connection, event: Event, account_id: int, now: str, *,
    join_uri: str | None = None, message: str = "",
) -> tuple[Registration, bool]:  # fmt: skip
    """Register the account: accepted while a place is free (open mode), pending when an
    organiser must approve (or, for a remote event, until its organisers answer), waitlisted
    when full. A live registration is kept as it is (the second value is False: nothing new); a
    rejected one stays rejected."""
    found = registration(conn, event.id, account_id)
    if found is not None and found.state in (*LIVE, "rejected"):
        return found, False
    if not event.is_local or event.join_mode == "approval":
        state = "pending"
    else:
        state = "accepted" if has_place(conn, event) else "waitlisted"
    if found is None:
        conn.execute(
            "INSERT INTO event_registrations (id, event_id, account_id, state, join_uri, message,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), event.id, account_id, state, join_uri, message, now, now),
        )
    else:  # registering again after cancelling: at the back of the queue
        conn.execute(
            "UPDATE event_registrations SET id = ?, state = ?, is_approved = 0, join_uri = ?,"
            " message = ?, online_url = NULL, created_at = ?, updated_at = ? WHERE id = ?",
            (new_id(), state, join_uri, message, now, now, found.id),
        )
    created = registration(conn, event.id, account_id)
    assert created is not None
    flag_update(conn, event.id)
    return created, True


def approve(conn: Connection, event: Event, account_id: int, now: str) -> Registration | None:
    """An organiser approves a pending (or waitlisted, or rejected) registration: accepted if a
    place is free, else waitlisted until one is."""
    found = registration(conn, event.id, account_id)
    if found is None or found.state in ("accepted", "cancelled"):
        return None
    state = "accepted" if has_place(conn, event) else "waitlisted"
    _set(conn, found.id, state, now, is_approved=1)
    return registration(conn, event.id, account_id)


def set_state(
    conn: Connection, reg_id: int, state: str, now: str, online_url: str | None = None
) -> None:
    if online_url is not None:
        _set(conn, reg_id, state, now, online_url=online_url)
    else:
        _set(conn, reg_id, state, now)


def cancel(conn: Connection, event_id: int, account_id: int, now: str) -> Registration | None:
    """The registration before it was cancelled; None when there was no live one."""
    found = registration(conn, event_id, account_id)
    if found is None or found.state not in LIVE:
        return None
    _set(conn, found.id, "cancelled", now, online_url=None)
    return found


def promote(conn: Connection, event: Event, now: str) -> list[Registration]:
    """Fill freed places from the waiting list, oldest first; returns those accepted."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - accepted_count(conn, event.id)
        if free <= 0:
            return []
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM event_registrations r WHERE r.event_id = ?"
        " AND r.state = 'waitlisted' ORDER BY r.id LIMIT ?",
        (event.id, no_limit(conn) if free is None else free),
    ).fetchall()
    promoted = [_registration(row) for row in rows]
    for found in promoted:
        _set(conn, found.id, "accepted", now)
    return promoted


# -- reads -------------------------------------------------------------------------------------


async def get_registration(conn: Reader, event_id: int, account_id: int) -> Registration | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM event_registrations r WHERE r.event_id = ? AND r.account_id = ?",
        (event_id, account_id),
    )
    row = await cursor.fetchone()
    return _registration(row) if row else None


async def get_by_join_uri(conn: Reader, join_uri: str) -> Registration | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM event_registrations r WHERE r.join_uri = ?", (join_uri,)
    )
    row = await cursor.fetchone()
    return _registration(row) if row else None


async def of_event(conn: Reader, event_id: int) -> list[Registration]:
    """Every registration of the event, in the order they came."""
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM event_registrations r WHERE r.event_id = ? ORDER BY r.id",
        (event_id,),
    )
    return [_registration(row) for row in await cursor.fetchall()]


async def accepted_counts(conn: Reader, event_ids: Iterable[int]) -> dict[int, int]:
    """Accepted registrations of each event, for a whole list in one statement."""
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        "SELECT event_id, count(*) FROM event_registrations WHERE state = 'accepted'"
        f" AND event_id IN ({', '.join('?' for _ in ids)}) GROUP BY event_id",
        ids,
    )
    counts = {int(row[0]): int(row[1]) for row in await cursor.fetchall()}
    return {i: counts.get(i, 0) for i in ids}


async def of_account(
    conn: Reader, account_id: int, event_ids: Iterable[int]
) -> dict[int, Registration]:
    """The account's registration to each of these events (one statement for a list)."""
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM event_registrations r WHERE r.account_id = ?"
        f" AND r.event_id IN ({', '.join('?' for _ in ids)})",
        [account_id, *ids],
    )
    return {reg.event_id: reg for reg in map(_registration, await cursor.fetchall())}


# -- reminders ---------------------------------------------------------------------------------


async def due_reminders(
    conn: Reader, now: str, day_ahead: str, hour_ahead: str, limit: int
) -> list[tuple[int, int, str]]:
    """(event, local registrant, kind) of the reminders due and not sent: '24h' for an event
    starting within a day but not within the hour, '1h' for one starting within the hour."""
    cursor = await conn.execute(
        "SELECT e.id, r.account_id, CASE WHEN e.starts_at <= ? THEN '1h' ELSE '24h' END AS kind"
        " FROM events e JOIN event_registrations r ON r.event_id = e.id"
        " JOIN accounts a ON a.id = r.account_id"
        " WHERE e.starts_at > ? AND e.starts_at <= ? AND e.is_cancelled = 0"
        " AND r.state = 'accepted' AND a.domain IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM event_reminders s WHERE s.event_id = e.id"
        "   AND s.account_id = r.account_id"
        # Once the hour's reminder is sent, the day's is never due any more.
        "   AND s.kind IN ('1h', CASE WHEN e.starts_at <= ? THEN '1h' ELSE '24h' END))"
        " ORDER BY e.starts_at LIMIT ?",
        (hour_ahead, now, day_ahead, hour_ahead, limit),
    )
    return [(int(r[0]), int(r[1]), str(r[2])) for r in await cursor.fetchall()]


def mark_reminded(conn: Connection, event_id: int, account_id: int, kind: str, now: str) -> bool:
    """Record a reminder; False when it was sent already (so it is never sent twice)."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO event_reminders (event_id, account_id, kind, created_at)"
        " VALUES (?, ?, ?, ?)",
        (event_id, account_id, kind, now),
    )
    return cursor.rowcount == 1


def notify(
    conn: Connection, account_ids: Iterable[int], kind: str, from_account_id: int,
    event_id: int, now: str,
) -> None:  # fmt: skip
    """A notification about an event to each local account (remote ones are skipped)."""
    targets = list(dict.fromkeys(account_ids))
    if not targets:
        return
    marks = ", ".join("?" for _ in targets)
    local = conn.execute(
        f"SELECT id FROM accounts WHERE domain IS NULL AND id IN ({marks})",
        targets,
    ).fetchall()
    conn.executemany(
        "INSERT INTO notifications (id, account_id, type, from_account_id, event_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(new_id(), row[0], kind, from_account_id, event_id, now) for row in local],
    )
