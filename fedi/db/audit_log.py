"""SQL for the audit log: one row per moderation action, never edited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fedi.core.ids import new_id
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row

_COLUMNS = (
    "id, account_id, actor_label, action, target_type, target_id, target_label, reason,"
    " details, created_at"
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    account_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: int | None
    target_label: str
    reason: str
    details: dict[str, Any]
    created_at: datetime


def _entry(row: Row) -> AuditEntry:
    details = json.loads(row["details"])
    return AuditEntry(
        id=row["id"],
        account_id=row["account_id"],
        actor_label=row["actor_label"],
        action=row["action"],
        target_type=row["target_type"],
        target_id=row["target_id"],
        target_label=row["target_label"],
        reason=row["reason"],
        details=details if isinstance(details, dict) else {},
        created_at=from_db(row["created_at"]),
    )


def insert(
    conn: Connection,
    *,
    account_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: int | None,
    target_label: str,
    reason: str,
    details: dict[str, Any],
    now: str,
) -> int:
    entry_id = new_id()
    conn.execute(
        f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry_id,
            account_id,
            actor_label,
            action,
            target_type,
            target_id,
            target_label,
            reason,
            json.dumps(details, sort_keys=True),
            now,
        ),
    )
    return entry_id


async def entries(
    conn: Reader,
    *,
    limit: int,
    max_id: int | None = None,
    account_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> list[AuditEntry]:
    """Newest first, optionally only one moderator's, one action's or one target's."""
    clauses, values = [], []
    for column, value in (
        ("id <", max_id),
        ("account_id =", account_id),
        ("action =", action),
        ("target_type =", target_type),
        ("target_id =", target_id),
    ):
        if value is not None:
            clauses.append(f"{column} ?")
            values.append(value)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM audit_log{where} ORDER BY id DESC LIMIT ?", (*values, limit)
    ) as cursor:
        return [_entry(row) for row in await cursor.fetchall()]
