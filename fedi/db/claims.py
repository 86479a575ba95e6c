"""Claims with leases, for queues that several worker processes share.

A worker claims due rows in one statement (`claimed_by` its name, `claimed_until` when the claim
lapses), works on them and records each outcome, which ends the claim (`claimed_until` NULL;
`claimed_by` stays, saying who handled the row). While it works, it renews its claims every
third of the lease (renew), so a claim lapses only when its worker has stopped: another worker
then takes the row over. Periodic loops that must not run twice at once hold a lease row per
loop instead (worker_leases: hold, hold_lease).

The claim statements (in each queue's module) are `UPDATE ... WHERE id IN (subselect) RETURNING`.
Per dialect: on PostgreSQL the subselect ends with `FOR UPDATE SKIP LOCKED`
(CLAIM_LOCK), so that two workers claiming at once skip each other's rows instead of waiting;
SQLite has one writer at a time, which serialises the claims by itself (and so makes the inbox's
one-actor-at-a-time condition exact; on PostgreSQL the inbox's claim takes a transaction-scoped
advisory lock first, so that two claims at the same instant see each other's rows).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from fedi.core.timeutil import to_db, utcnow
from fedi.db.connection import Connection

if TYPE_CHECKING:
    from fedi.db import Database

log = logging.getLogger(__name__)
Row = TypeVar("Row")
# A queue's claim statement: (conn, worker, now, claimed until, limit) -> the rows claimed.
ClaimStatement = Callable[[Connection, str, str, str, int], list[Row]]

# Appended to each claim's subselect: a comment on SQLite, `FOR UPDATE SKIP LOCKED` on
# PostgreSQL (fedi.db.pg_sql takes the /*pg: ...*/ wrapping off).
CLAIM_LOCK = " /*pg: FOR UPDATE SKIP LOCKED*/"
DEFAULT_LEASE = timedelta(seconds=60)
# The queue tables and the state their claimed rows are in while being worked on.
CLAIMED_STATES = {
    "inbox_activities": "pending",
    "outbox_activities": "pending",
    "deliveries": "queued",
    "mail_outbox": "queued",
    "push_deliveries": "sending",
    "scheduled_statuses": "publishing",
}


def worker_name() -> str:
    """This process's name in claims: the host, the process id and a random part (a restarted
    process with the same id is another worker)."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Claims:
    """Who this process is in claims, and how long its claims last unless renewed."""

    worker: str = field(default_factory=worker_name)
    lease: timedelta = DEFAULT_LEASE

    def until(self, now: datetime) -> str:
        return to_db(now + self.lease)

    @property
    def renew_every(self) -> float:
        """Seconds between renewals: a third of the lease, so that one late renewal (a busy
        writer) does not lose the claims."""
        return self.lease.total_seconds() / 3


def renew(conn: Connection, worker: str, now: datetime, until: str) -> None:
    """Extend every claim and lease `worker` holds (and has not let lapse) to `until`."""
    stamp = to_db(now)
    for table, state in CLAIMED_STATES.items():
        conn.execute(
            f"UPDATE {table} SET claimed_until = ?"
            " WHERE claimed_until IS NOT NULL AND claimed_until >= ? AND claimed_by = ?"
            " AND state = ?",
            (until, stamp, worker, state),
        )
    conn.execute(
        "UPDATE worker_leases SET held_until = ? WHERE held_by = ? AND held_until >= ?",
        (until, worker, stamp),
    )


def release(conn: Connection, worker: str) -> None:
    """A worker stopping cleanly lets go of what it has not finished: its rows are due again at
    once for the others, and its leases free."""
    for table in CLAIMED_STATES:
        if table in ("push_deliveries", "scheduled_statuses"):
            continue  # claimed at most once: what was being sent or posted stays with its worker
        conn.execute(
            f"UPDATE {table} SET claimed_until = NULL"
            " WHERE claimed_until IS NOT NULL AND claimed_by = ?",
            (worker,),
        )
    conn.execute("DELETE FROM worker_leases WHERE held_by = ?", (worker,))


def expire_all(conn: Connection, now: datetime) -> None:
    """Every claim and lease lapses now: for a server that runs its workers in its own process
    (the only one, then), whatever a previous run held is free at start, as before claims."""
    past = to_db(now - timedelta(microseconds=1))
    for table in CLAIMED_STATES:
        conn.execute(
            f"UPDATE {table} SET claimed_until = ? WHERE claimed_until IS NOT NULL", (past,)
        )
    conn.execute("DELETE FROM worker_leases")


def hold(conn: Connection, name: str, worker: str, now: datetime, until: str) -> bool:
    """Take or keep the lease `name`: True when `worker` holds it now (it was free, lapsed, or
    already its own)."""
    row = conn.execute(
        "INSERT INTO worker_leases (name, held_by, held_until) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET held_by = excluded.held_by,"
        " held_until = excluded.held_until"
        " WHERE worker_leases.held_by = excluded.held_by OR worker_leases.held_until < ?"
        " RETURNING held_by",
        (name, worker, until, to_db(now)),
    ).fetchone()
    return row is not None


async def claim(
    db: Database, claims: Claims, statement: ClaimStatement[Row], limit: int, now: datetime
) -> list[Row]:
    """Claim up to `limit` due rows for this process with a queue's claim statement."""
    return await db.write(
        lambda conn: statement(conn, claims.worker, to_db(now), claims.until(now), limit)
    )


async def hold_lease(db: Database, claims: Claims, name: str) -> bool:
    """Take or keep the lease `name` for this process (a write); False when another worker
    holds it, or when the database cannot say (then nobody here runs what it guards)."""
    now = utcnow()
    try:
        return await db.write(lambda conn: hold(conn, name, claims.worker, now, claims.until(now)))
    except Exception:  # a loop's guard: an error means "not now", logged, and asked again later
        log.exception("lease %s: cannot be taken or kept", name)
        return False


async def keep_claims(db: Database, claims: Claims, stop: asyncio.Event) -> None:
    """Renew this process's claims and leases every third of the lease until `stop`."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=claims.renew_every)
        if stop.is_set():
            break
        try:
            await db.write(functools.partial(_renew_now, claims=claims))
        except Exception:  # the loop's top level: the next renewal tries again
            log.exception("renewing the claims of %s failed", claims.worker)


def _renew_now(conn: Connection, claims: Claims) -> None:
    now = utcnow()
    renew(conn, claims.worker, now, claims.until(now))


def take_id_tag(conn: Connection) -> int:
    """This process's id tag (fedi.core.ids): the next of the database's counter, so that the
    processes sharing a database (the last 1,024 opened) each have their own."""
    row = conn.execute("UPDATE id_tags SET next = next + 1 RETURNING next").fetchone()
    return int(row[0]) if row is not None else 0
