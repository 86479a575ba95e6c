"""SQL for account_warnings (a moderator's warning or recorded action on an account) and the
`moderation_warning` notification that tells a local member of one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from fedi.core.ids import new_id
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row
from fedi.db.rows import json_list

_COLUMNS = "id, account_id, target_account_id, report_id, action, text, status_ids, created_at"


@dataclass(frozen=True)
class AccountWarning:
    id: int
    account_id: int | None
    target_account_id: int
    report_id: int | None
    action: str
    text: str
    status_ids: tuple[int, ...]
    created_at: datetime


def _warning(row: Row) -> AccountWarning:
    return AccountWarning(
        id=row["id"],
        account_id=row["account_id"],
        target_account_id=row["target_account_id"],
        report_id=row["report_id"],
        action=row["action"],
        text=row["text"],
        status_ids=tuple(int(s) for s in json_list(row["status_ids"])),
        created_at=from_db(row["created_at"]),
    )


def insert(
    conn: Connection,
    *,
    account_id: int | None,
    target_account_id: int,
    report_id: int | None,
    action: str,
    text: str,
    status_ids: tuple[int, ...],
    now: str,
    notify: bool,
) -> int:
    """The warning and, for a local member when `notify`, its notification (whose sender is
    the member's own account, as Mastodon's is)."""
    warning_id = new_id()
    conn.execute(
        f"INSERT INTO account_warnings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (warning_id, account_id, target_account_id, report_id, action, text,
         json.dumps(list(status_ids)), now),
    )  # fmt: skip
    if notify:
        conn.execute(
            "INSERT INTO notifications (id, account_id, type, from_account_id, status_id,"
            " created_at, account_warning_id)"
            " SELECT ?, a.id, 'moderation_warning', a.id, NULL, ?, ? FROM accounts a"
            " WHERE a.id = ? AND a.domain IS NULL",
            (new_id(), now, warning_id, target_account_id),
        )
    return warning_id


async def of_account(conn: Reader, account_id: int) -> list[AccountWarning]:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM account_warnings WHERE target_account_id = ? ORDER BY id DESC",
        (account_id,),
    )
    return [_warning(row) for row in await cursor.fetchall()]


async def of_notification(conn: Reader, notification_id: int) -> AccountWarning | None:
    cursor = await conn.execute(
        f"SELECT {', '.join('w.' + c for c in _COLUMNS.split(', '))} FROM notifications n"
        " JOIN account_warnings w ON w.id = n.account_warning_id WHERE n.id = ?",
        (notification_id,),
    )
    row = await cursor.fetchone()
    return _warning(row) if row else None


async def of_notifications(conn: Reader, notification_ids: list[int]) -> dict[int, AccountWarning]:
    """The warnings that `moderation_warning` notifications carry, by notification id."""
    if not notification_ids:
        return {}
    cursor = await conn.execute(
        f"SELECT n.id AS notification_id, {', '.join('w.' + c for c in _COLUMNS.split(', '))}"
        " FROM notifications n JOIN account_warnings w ON w.id = n.account_warning_id"
        f" WHERE n.id IN ({', '.join('?' for _ in notification_ids)})",
        notification_ids,
    )
    return {row["notification_id"]: _warning(row) for row in await cursor.fetchall()}
