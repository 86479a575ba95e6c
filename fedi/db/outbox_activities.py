"""SQL for outbox_activities and deliveries: what this server publishes, and each signed POST of
it to one inbox.

outbox_activities: pending -> fanned_out (its deliveries written).
deliveries: queued -> done | failed; a retryable failure stays queued with a later attempt time.
Both are claimed by one worker at a time (fedi.db.claims); recording the outcome ends the claim.
A delivery (one per activity and inbox: UNIQUE) goes at least once: one whose worker died before
recording it is sent again by another, and the receiver drops the repeat by the activity's id.
hosts: the circuit breaker of each remote host that has failed (failed delivery rounds in a row,
open until when; last_success_at is when it last answered after failing).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fedi.db.claims import CLAIM_LOCK
from fedi.db.connection import Connection, Reader
from fedi.db.postgres import is_postgresql


@dataclass(frozen=True)
class OutboxRow:
    id: int
    activity_uri: str
    actor_id: int
    body: str
    audience: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """A queued delivery; its activity's body is read once per activity (activity_bodies), not
    once per inbox."""

    id: int
    activity_id: int
    actor_id: int
    inbox_uri: str
    host: str
    extra_headers: dict[str, str]
    attempts: int
    created_at: str


@dataclass(frozen=True)
class HostCircuit:
    """A host's circuit breaker: failed rounds in a row, and until when its circuit is open
    (past that time, half-open: one probe may go)."""

    failed_rounds: int
    open_until: str | None


def insert(
    conn: Connection,
    *,
    row_id: int,
    activity_uri: str,
    actor_id: int,
    body: dict[str, Any],
    audience: dict[str, Any],
    now: str,
) -> None:
    """Queue an activity to publish, once per id: the same activity queued again (a handler run
    a second time after its worker died) is not sent twice."""
    conn.execute(
        "INSERT INTO outbox_activities (id, activity_uri, actor_id, body, audience, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (activity_uri) DO NOTHING",
        (row_id, activity_uri, actor_id, json.dumps(body), json.dumps(audience), now),
    )


async def pending(conn: Reader, limit: int) -> list[OutboxRow]:
    cursor = await conn.execute(
        "SELECT id, activity_uri, actor_id, body, audience FROM outbox_activities"
        " WHERE state = 'pending' ORDER BY id LIMIT ?",
        (limit,),
    )
    return [
        OutboxRow(row[0], row[1], row[2], row[3], json.loads(row[4]))
        for row in await cursor.fetchall()
    ]


def claim_pending(
    conn: Connection, worker: str, now: str, until: str, limit: int
) -> list[OutboxRow]:
    """Claim up to `limit` activities to fan out (oldest first) that no live claim holds."""
    rows = conn.execute(
        "UPDATE outbox_activities SET claimed_by = ?, claimed_until = ? WHERE id IN ("
        " SELECT id FROM outbox_activities WHERE state = 'pending'"
        " AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?)"
        f" ORDER BY id LIMIT ?{CLAIM_LOCK})"
        " RETURNING id, activity_uri, actor_id, body, audience",
        (worker, until, now, worker, limit),
    ).fetchall()
    return sorted(
        (OutboxRow(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows),
        key=lambda row: row.id,
    )


def fan_out(
    conn: Connection,
    activity_id: int,
    deliveries: Iterable[tuple[int, str, str, dict[str, str]]],
    now: str,
    worker: str | None = None,
) -> bool:
    """Write one delivery per (id, inbox, host, extra headers) and close the fan-out, if
    `worker` still holds the activity's claim (None: whoever does); False when another worker
    took it over. The rows go in as one JSON array read by one statement: a fan-out writes
    hundreds, and binding each row's values separately costs more than the insert itself."""
    holder, held = _held_by(worker)
    closed = conn.execute(
        "UPDATE outbox_activities SET state = 'fanned_out', claimed_until = NULL"
        f" WHERE id = ? AND state = 'pending'{holder}",
        (activity_id, *held),
    )
    if closed.rowcount != 1:
        return False
    rows = [[row_id, inbox, host, _json(headers)] for row_id, inbox, host, headers in deliveries]
    conn.execute(
        _PG_FAN_OUT if is_postgresql(conn) else _FAN_OUT,
        (activity_id, now, now, now, json.dumps(rows)),
    )
    return True


def claim_deliveries(
    conn: Connection, worker: str, now: str, until: str, limit: int
) -> list[DeliveryRow]:
    """Claim up to `limit` due deliveries that no live claim holds, in one statement; returned
    first attempts before retries, oldest first."""
    rows = conn.execute(
        "UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE id IN ("
        " SELECT id FROM deliveries WHERE state = 'queued' AND next_attempt_at <= ?"
        " AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?)"
        f" ORDER BY attempts, next_attempt_at, id LIMIT ?{CLAIM_LOCK})"
        " RETURNING id, activity_id,"
        " (SELECT o.actor_id FROM outbox_activities o WHERE o.id = deliveries.activity_id),"
        " inbox_uri, host, extra_headers, attempts, created_at, next_attempt_at",
        (worker, until, now, now, worker, limit),
    ).fetchall()
    rows.sort(key=lambda r: (r[6], r[8], r[0]))
    return [DeliveryRow(r[0], r[1], r[2], r[3], r[4], _headers(r[5]), r[6], r[7]) for r in rows]


async def due_deliveries(conn: Reader, now: str, limit: int) -> list[DeliveryRow]:
    """Queued deliveries whose time has come: first attempts before retries, oldest first."""
    cursor = await conn.execute(
        "SELECT d.id, d.activity_id, o.actor_id, d.inbox_uri, d.host, d.extra_headers,"
        " d.attempts, d.created_at FROM deliveries d JOIN outbox_activities o"
        " ON o.id = d.activity_id WHERE d.state = 'queued' AND d.next_attempt_at <= ?"
        " ORDER BY d.attempts, d.next_attempt_at, d.id LIMIT ?",
        (now, limit),
    )
    return [
        DeliveryRow(r[0], r[1], r[2], r[3], r[4], _headers(r[5]), r[6], r[7])
        for r in await cursor.fetchall()
    ]


def _held_by(worker: str | None) -> tuple[str, tuple[str, ...]]:
    """The condition (and its parameter) that a row's claim is `worker`'s; None: no condition."""
    return ("", ()) if worker is None else (" AND claimed_by = ?", (worker,))


_FAN_OUT = (
    "INSERT OR IGNORE INTO deliveries (id, activity_id, inbox_uri, host, extra_headers,"
    " next_attempt_at, created_at, updated_at)"
    " SELECT json_extract(value, '$[0]'), ?, json_extract(value, '$[1]'),"
    " json_extract(value, '$[2]'), json_extract(value, '$[3]'), ?, ?, ?"
    " FROM json_each(?)"
)
_PG_FAN_OUT = (
    "INSERT INTO deliveries (id, activity_id, inbox_uri, host, extra_headers,"
    " next_attempt_at, created_at, updated_at)"
    " SELECT CAST(r.value->>0 AS BIGINT), ?, r.value->>1, r.value->>2, r.value->>3, ?, ?, ?"
    " FROM jsonb_array_elements(CAST(? AS jsonb)) AS r (value) ON CONFLICT DO NOTHING"
)


def _ids(conn: object) -> str:
    """The numbers of a JSON array given as a parameter, as a subquery."""
    if is_postgresql(conn):
        return "SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(? AS jsonb))"
    return "SELECT value FROM json_each(?)"


def _texts(conn: object) -> str:
    """The strings of a JSON array given as a parameter, as a subquery."""
    if is_postgresql(conn):
        return "SELECT value FROM jsonb_array_elements_text(CAST(? AS jsonb))"
    return "SELECT value FROM json_each(?)"


def _json(headers: dict[str, str]) -> str:
    return json.dumps(headers) if headers else "{}"


def _headers(text: str) -> dict[str, str]:
    headers: dict[str, str] = {} if text == "{}" else json.loads(text)
    return headers


async def activity_bodies(conn: Reader, activity_ids: Iterable[int]) -> dict[int, str]:
    """The JSON body of each activity, by id."""
    cursor = await conn.execute(
        f"SELECT id, body FROM outbox_activities WHERE id IN ({_ids(conn)})",
        (json.dumps(sorted(set(activity_ids))),),
    )
    return {row[0]: row[1] for row in await cursor.fetchall()}


def record_attempts(
    conn: Connection,
    now: str,
    *,
    done: Iterable[int] = (),
    failed: Iterable[tuple[int, str]] = (),
    later: Iterable[tuple[int, str, str, bool]] = (),
    released: Iterable[int] = (),
    worker: str | None = None,
) -> None:
    """Record a batch of attempts in three statements: deliveries done, failed for good (id,
    error), and to try again (id, error, next attempt, whether an attempt was spent: a delivery
    held back by its host's circuit spends none). Each ends the delivery's claim, if `worker`
    holds it (None: whoever does); a claim that went to another worker is left to that one."""
    holder, held = _held_by(worker)
    done = list(done)
    if done:  # the common case, by the hundred: one statement over a JSON array of ids
        conn.execute(
            "UPDATE deliveries SET state = 'done', attempts = attempts + 1, last_error = NULL,"
            " updated_at = ?, claimed_until = NULL"
            f" WHERE id IN ({_ids(conn)}){holder}",
            (now, json.dumps(done), *held),
        )
    conn.executemany(
        "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_error = ?,"
        f" updated_at = ?, claimed_until = NULL WHERE id = ?{holder}",
        [(error[:2000], now, delivery_id, *held) for delivery_id, error in failed],
    )
    conn.executemany(
        "UPDATE deliveries SET attempts = attempts + ?, last_error = ?, next_attempt_at = ?,"
        f" updated_at = ?, claimed_until = NULL WHERE id = ?{holder}",
        [
            (int(spent), error[:2000], next_attempt_at, now, delivery_id, *held)
            for delivery_id, error, next_attempt_at, spent in later
        ],
    )
    conn.executemany(
        f"UPDATE deliveries SET claimed_until = NULL WHERE id = ?{holder}",
        [(delivery_id, *held) for delivery_id in released],
    )


def forget_before(conn: Connection, before_id: int, limit: int) -> int:
    """Forget up to `limit` published activities older than `before_id` whose deliveries are
    all done or failed, with their deliveries; returns how many activities went."""
    return conn.execute(
        "DELETE FROM outbox_activities WHERE id IN (SELECT o.id FROM outbox_activities o"
        " WHERE o.state = 'fanned_out' AND o.id < ? AND NOT EXISTS (SELECT 1 FROM deliveries d"
        " WHERE d.activity_id = o.id AND d.state = 'queued') LIMIT ?)",
        (before_id, limit),
    ).rowcount


async def host_circuits(conn: Reader, hosts: Iterable[str]) -> dict[str, HostCircuit]:
    """The breaker state of those of `hosts` that have failed lately (the others are healthy)."""
    cursor = await conn.execute(
        "SELECT host, consecutive_failures, open_until FROM hosts"
        f" WHERE host IN ({_texts(conn)})"
        " AND (consecutive_failures > 0 OR open_until IS NOT NULL)",
        (json.dumps(sorted(set(hosts))),),
    )
    return {row[0]: HostCircuit(row[1], row[2]) for row in await cursor.fetchall()}


def record_hosts_answered(conn: Connection, hosts: Iterable[str], now: str) -> None:
    """These hosts answered in this round: their failure count and circuit are reset."""
    conn.executemany(
        "INSERT INTO hosts (host, consecutive_failures, last_success_at) VALUES (?, 0, ?)"
        " ON CONFLICT (host) DO UPDATE SET consecutive_failures = 0, open_until = NULL,"
        " last_success_at = excluded.last_success_at",
        [(host, now) for host in hosts],
    )


def release_waiting(conn: Connection, host: str, now: str, *, before: str) -> None:
    """A host that failed answers again: its queued deliveries last tried (or held back)
    before `before` are due now rather than at the end of their backoff or its circuit's pause."""
    conn.execute(
        "UPDATE deliveries SET next_attempt_at = ? WHERE state = 'queued' AND host = ?"
        " AND next_attempt_at > ? AND updated_at < ?",
        (now, host, now, before),
    )


def record_host_failure(conn: Connection, host: str, now: str) -> int:
    """Count one more failed round in a row; returns the new count."""
    conn.execute(
        "INSERT INTO hosts (host, consecutive_failures, last_failure_at) VALUES (?, 1, ?)"
        " ON CONFLICT (host) DO UPDATE SET consecutive_failures = hosts.consecutive_failures + 1,"
        " last_failure_at = excluded.last_failure_at",
        (host, now),
    )
    row = conn.execute("SELECT consecutive_failures FROM hosts WHERE host = ?", (host,)).fetchone()
    return int(row[0])


def open_circuit(conn: Connection, host: str, until: str | None) -> None:
    """Open a host's circuit until then (None: leave it closed)."""
    conn.execute("UPDATE hosts SET open_until = ? WHERE host = ?", (until, host))


async def open_circuits(conn: Reader, now: str) -> dict[str, str]:
    """Hosts whose circuit is open, with the time it closes again."""
    cursor = await conn.execute(
        "SELECT host, open_until FROM hosts WHERE open_until IS NOT NULL AND open_until > ?",
        (now,),
    )
    return {row[0]: row[1] for row in await cursor.fetchall()}


async def delivery_counts(conn: Reader) -> dict[str, int]:
    cursor = await conn.execute("SELECT state, count(*) FROM deliveries GROUP BY state")
    return {row[0]: row[1] for row in await cursor.fetchall()}
