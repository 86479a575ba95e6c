"""SQL for reports, the posts they name and moderators' notes on them.

A report is open while action_taken_at is NULL; resolving stamps it, reopening clears it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fedi.core.ids import new_id
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row
from fedi.db.rows import json_list, opt_time

_COLUMNS = (
    "id, uri, account_id, target_account_id, comment, category, rule_ids, is_forwarded,"
    " assigned_account_id, action_taken_by_account_id, action_taken_at, created_at, updated_at"
)
CATEGORIES = ("spam", "legal", "violation", "other")


@dataclass(frozen=True)
class Report:
    id: int
    uri: str | None
    account_id: int
    target_account_id: int
    comment: str
    category: str
    rule_ids: tuple[str, ...]
    is_forwarded: bool
    assigned_account_id: int | None
    action_taken_by_account_id: int | None
    action_taken_at: datetime | None
    created_at: datetime
    updated_at: datetime
    status_ids: tuple[int, ...] = ()

    @property
    def is_resolved(self) -> bool:
        return self.action_taken_at is not None


@dataclass(frozen=True)
class NewReport:
    account_id: int
    target_account_id: int
    comment: str
    category: str
    rule_ids: tuple[str, ...]
    status_ids: tuple[int, ...]
    uri: str | None
    is_forwarded: bool
    now: str


@dataclass(frozen=True)
class ReportNote:
    id: int
    report_id: int
    account_id: int | None
    content: str
    created_at: datetime


def _report(row: Row, status_ids: tuple[int, ...]) -> Report:
    return Report(
        id=row["id"],
        uri=row["uri"],
        account_id=row["account_id"],
        target_account_id=row["target_account_id"],
        comment=row["comment"],
        category=row["category"],
        rule_ids=tuple(str(r) for r in json_list(row["rule_ids"])),
        is_forwarded=bool(row["is_forwarded"]),
        assigned_account_id=row["assigned_account_id"],
        action_taken_by_account_id=row["action_taken_by_account_id"],
        action_taken_at=opt_time(row["action_taken_at"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        status_ids=status_ids,
    )


def insert(conn: Connection, new: NewReport) -> int:
    report_id = new_id()
    conn.execute(
        "INSERT INTO reports (id, uri, account_id, target_account_id, comment, category,"
        " rule_ids, is_forwarded, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (report_id, new.uri, new.account_id, new.target_account_id, new.comment, new.category,
         json.dumps(list(new.rule_ids)), int(new.is_forwarded), new.now, new.now),
    )  # fmt: skip
    conn.executemany(
        "INSERT OR IGNORE INTO report_statuses (report_id, status_id) VALUES (?, ?)",
        [(report_id, s) for s in new.status_ids],
    )
    return report_id


async def _with_statuses(conn: Reader, rows: Sequence[Row]) -> list[Report]:
    found = []
    for row in rows:
        cursor = await conn.execute(
            "SELECT status_id FROM report_statuses WHERE report_id = ? ORDER BY status_id",
            (row["id"],),
        )
        found.append(_report(row, tuple(r[0] for r in await cursor.fetchall())))
    return found


async def get(conn: Reader, report_id: int) -> Report | None:
    cursor = await conn.execute(f"SELECT {_COLUMNS} FROM reports WHERE id = ?", (report_id,))
    row = await cursor.fetchone()
    return (await _with_statuses(conn, [row]))[0] if row else None


@dataclass(frozen=True)
class ReportQuery:
    resolved: bool | None = None
    account_id: int | None = None
    target_account_id: int | None = None
    max_id: int | None = None
    min_id: int | None = None
    since_id: int | None = None
    limit: int = 100


async def page(conn: Reader, query: ReportQuery) -> list[Report]:
    """Newest first (oldest first above min_id, as Mastodon's paging does)."""
    clauses: list[str] = []
    values: list[object] = []
    if query.resolved is not None:
        clauses.append(f"action_taken_at IS {'NOT ' if query.resolved else ''}NULL")
    for column, value in (
        ("account_id =", query.account_id),
        ("target_account_id =", query.target_account_id),
        ("id <", query.max_id),
        ("id >", query.min_id if query.min_id is not None else query.since_id),
    ):
        if value is not None:
            clauses.append(f"{column} ?")
            values.append(value)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    order = "ASC" if query.min_id is not None else "DESC"
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM reports{where} ORDER BY id {order} LIMIT ?",
        (*values, query.limit),
    )
    found = await _with_statuses(conn, list(await cursor.fetchall()))
    return sorted(found, key=lambda r: r.id, reverse=True)


async def open_count(conn: Reader) -> int:
    cursor = await conn.execute("SELECT count(*) FROM reports WHERE action_taken_at IS NULL")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


def set_assigned(conn: Connection, report_id: int, account_id: int | None, now: str) -> None:
    conn.execute(
        "UPDATE reports SET assigned_account_id = ?, updated_at = ? WHERE id = ?",
        (account_id, now, report_id),
    )


def set_resolved(conn: Connection, report_id: int, by_id: int | None, at: str | None,
                 now: str) -> None:  # fmt: skip
    conn.execute(
        "UPDATE reports SET action_taken_at = ?, action_taken_by_account_id = ?, updated_at = ?"
        " WHERE id = ?",
        (at, by_id, now, report_id),
    )


def update_category(conn: Connection, report_id: int, category: str,
                    rule_ids: tuple[str, ...], now: str) -> None:  # fmt: skip
    conn.execute(
        "UPDATE reports SET category = ?, rule_ids = ?, updated_at = ? WHERE id = ?",
        (category, json.dumps(list(rule_ids)), now, report_id),
    )


def add_note(conn: Connection, report_id: int, account_id: int | None, content: str,
             now: str) -> int:  # fmt: skip
    note_id = new_id()
    conn.execute(
        "INSERT INTO report_notes (id, report_id, account_id, content, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (note_id, report_id, account_id, content, now),
    )
    conn.execute("UPDATE reports SET updated_at = ? WHERE id = ?", (now, report_id))
    return note_id


async def notes(conn: Reader, report_id: int) -> list[ReportNote]:
    cursor = await conn.execute(
        "SELECT id, report_id, account_id, content, created_at FROM report_notes"
        " WHERE report_id = ? ORDER BY id",
        (report_id,),
    )
    return [ReportNote(r[0], r[1], r[2], r[3], from_db(r[4])) for r in await cursor.fetchall()]


def uri_taken(conn: Connection, uri: str) -> bool:
    return conn.execute("SELECT 1 FROM reports WHERE uri = ?", (uri,)).fetchone() is not None
