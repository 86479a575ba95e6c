"""SQL for blocklist subscriptions: the partners' lists this instance follows, what moderators
decided about each published domain (applied or dismissed), and the changes awaiting review."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from fedi.core.ids import new_id
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row


@dataclass(frozen=True)
class Listed:
    """One domain as a published blocklist (or a CSV) gives it."""

    domain: str
    severity: str
    reject_media: bool = False
    reject_reports: bool = False
    public_comment: str = ""
    obfuscate: bool = False


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    created_at: datetime
    fetched_at: datetime | None
    last_error: str
    unimportable: list[str]


@dataclass(frozen=True)
class Pending:
    id: int
    subscription_id: int
    kind: str
    listed: Listed
    created_at: datetime


_SUB_COLUMNS = "id, url, created_at, fetched_at, last_error, unimportable"
_PENDING_COLUMNS = (
    "id, subscription_id, kind, domain, severity, reject_media, reject_reports, public_comment,"
    " created_at"
)


def _subscription(row: Row) -> Subscription:
    return Subscription(
        id=row["id"],
        url=row["url"],
        created_at=from_db(row["created_at"]),
        fetched_at=from_db(row["fetched_at"]) if row["fetched_at"] else None,
        last_error=row["last_error"],
        unimportable=list(json.loads(row["unimportable"])),
    )


def _listed(row: Row) -> Listed:
    return Listed(
        domain=row["domain"],
        severity=row["severity"],
        reject_media=bool(row["reject_media"]),
        reject_reports=bool(row["reject_reports"]),
        public_comment=row["public_comment"],
    )


def _pending(row: Row) -> Pending:
    return Pending(
        id=row["id"],
        subscription_id=row["subscription_id"],
        kind=row["kind"],
        listed=_listed(row),
        created_at=from_db(row["created_at"]),
    )


async def subscriptions(conn: Reader) -> list[Subscription]:
    async with conn.execute(
        f"SELECT {_SUB_COLUMNS} FROM blocklist_subscriptions ORDER BY id"
    ) as cursor:
        return [_subscription(row) for row in await cursor.fetchall()]


async def get_subscription(conn: Reader, sub_id: int) -> Subscription | None:
    async with conn.execute(
        f"SELECT {_SUB_COLUMNS} FROM blocklist_subscriptions WHERE id = ?", (sub_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _subscription(row) if row is not None else None


def insert_subscription(
    conn: Connection, url: str, created_by_id: int | None, now: str
) -> int | None:
    """The new subscription's id, None when that URL is already followed."""
    if conn.execute("SELECT 1 FROM blocklist_subscriptions WHERE url = ?", (url,)).fetchone():
        return None
    sub_id = new_id()
    conn.execute(
        "INSERT INTO blocklist_subscriptions (id, url, created_by_id, created_at)"
        " VALUES (?, ?, ?, ?)",
        (sub_id, url, created_by_id, now),
    )
    return sub_id


def delete_subscription(conn: Connection, sub_id: int) -> bool:
    return conn.execute("DELETE FROM blocklist_subscriptions WHERE id = ?", (sub_id,)).rowcount > 0


def set_fetched(
    conn: Connection, sub_id: int, now: str, error: str, unimportable: list[str]
) -> None:
    conn.execute(
        "UPDATE blocklist_subscriptions SET fetched_at = ?, last_error = ?,"
        " unimportable = CASE WHEN ? = '' THEN ? ELSE unimportable END WHERE id = ?",
        (now, error, error, json.dumps(unimportable), sub_id),
    )


def entries_now(conn: Connection, sub_id: int) -> dict[str, tuple[Listed, bool]]:
    """Every reviewed domain of the subscription: what was reviewed, and whether it was applied."""
    rows = conn.execute(
        "SELECT domain, severity, reject_media, reject_reports, public_comment, applied"
        " FROM blocklist_entries WHERE subscription_id = ?",
        (sub_id,),
    ).fetchall()
    return {row["domain"]: (_listed(row), bool(row["applied"])) for row in rows}


def set_entry(conn: Connection, sub_id: int, listed: Listed, applied: bool) -> None:
    conn.execute(
        "INSERT INTO blocklist_entries (subscription_id, domain, severity, reject_media,"
        " reject_reports, public_comment, applied) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (subscription_id, domain) DO UPDATE SET severity = excluded.severity,"
        " reject_media = excluded.reject_media, reject_reports = excluded.reject_reports,"
        " public_comment = excluded.public_comment, applied = excluded.applied",
        (sub_id, listed.domain, listed.severity, int(listed.reject_media),
         int(listed.reject_reports), listed.public_comment, int(applied)),
    )  # fmt: skip


def delete_entry(conn: Connection, sub_id: int, domain: str) -> None:
    conn.execute(
        "DELETE FROM blocklist_entries WHERE subscription_id = ? AND domain = ?", (sub_id, domain)
    )


def replace_pending(
    conn: Connection, sub_id: int, changes: list[tuple[str, Listed]], now: str
) -> None:
    """The subscription's pending changes become exactly `changes` (kind, listed); a change
    already waiting keeps its id and date."""
    current = {
        row["domain"]: _pending(row)
        for row in conn.execute(
            f"SELECT {_PENDING_COLUMNS} FROM blocklist_pending WHERE subscription_id = ?",
            (sub_id,),
        ).fetchall()
    }
    wanted = {listed.domain: (kind, listed) for kind, listed in changes}
    for domain, waiting in current.items():
        if wanted.get(domain) != (waiting.kind, waiting.listed):
            conn.execute("DELETE FROM blocklist_pending WHERE id = ?", (waiting.id,))
    for domain, (kind, listed) in wanted.items():
        old = current.get(domain)
        if old is not None and (old.kind, old.listed) == (kind, listed):
            continue
        conn.execute(
            f"INSERT INTO blocklist_pending ({_PENDING_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), sub_id, kind, domain, listed.severity, int(listed.reject_media),
             int(listed.reject_reports), listed.public_comment, now),
        )  # fmt: skip


async def pending(conn: Reader, sub_id: int | None = None) -> list[Pending]:
    async with conn.execute(
        f"SELECT {_PENDING_COLUMNS} FROM blocklist_pending"
        " WHERE ? IS NULL OR subscription_id = ? ORDER BY domain",
        (sub_id, sub_id),
    ) as cursor:
        return [_pending(row) for row in await cursor.fetchall()]


def take_pending(conn: Connection, pending_id: int) -> Pending | None:
    """Remove one pending change inside a write, returning it (None if already gone)."""
    row = conn.execute(
        f"SELECT {_PENDING_COLUMNS} FROM blocklist_pending WHERE id = ?", (pending_id,)
    ).fetchone()
    if row is None:
        return None
    conn.execute("DELETE FROM blocklist_pending WHERE id = ?", (pending_id,))
    return _pending(row)
