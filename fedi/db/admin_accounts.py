"""SQL for the moderators' view of accounts: local members with what only this server knows
(role, e-mail, approval), remote accounts, searched and filtered as Mastodon's admin API does."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.models import Account
from fedi.db.accounts import ACCOUNT_COLUMNS, account_from_row
from fedi.db.connection import Connection, Reader, Row

_COLUMNS = (
    f"{ACCOUNT_COLUMNS}, u.role, u.email, u.locale, u.is_approved, u.sign_up_reason,"
    " u.created_by_app_id, u.account_id AS user_id, u.email_confirmed_at"
)
STATUSES = ("active", "pending", "disabled", "silenced", "suspended")


@dataclass(frozen=True)
class StaffView:
    """An account as moderators see it; the member fields are None for a remote account."""

    account: Account
    role: str | None
    email: str | None
    locale: str | None
    is_approved: bool
    sign_up_reason: str
    created_by_app_id: int | None
    is_confirmed: bool = False  # the member proved their e-mail address


@dataclass(frozen=True)
class AccountQuery:
    origin: str | None = None  # local | remote
    status: str | None = None  # one of STATUSES
    username: str | None = None
    display_name: str | None = None
    by_domain: str | None = None
    email: str | None = None
    staff: bool = False
    max_id: int | None = None
    min_id: int | None = None
    since_id: int | None = None
    limit: int = 100


def _view(row: Row) -> StaffView:
    return StaffView(
        account=account_from_row(row),
        role=row["role"],
        email=row["email"],
        locale=row["locale"],
        is_approved=bool(row["is_approved"]) if row["user_id"] is not None else True,
        sign_up_reason=row["sign_up_reason"] or "",
        created_by_app_id=row["created_by_app_id"],
        is_confirmed=row["email_confirmed_at"] is not None,
    )


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_STATUS_CLAUSES = {
    "active": "a.suspended_at IS NULL AND (u.account_id IS NULL OR u.is_approved = 1)",
    "pending": "u.account_id IS NOT NULL AND u.is_approved = 0",
    "disabled": "0",
    "silenced": "a.silenced_at IS NOT NULL",
    "suspended": "a.suspended_at IS NOT NULL",
}


async def search(conn: Reader, query: AccountQuery) -> list[StaffView]:
    """Newest first; members and remote accounts only (never groups' or the instance's actor
    unless remote)."""
    clauses = ["(a.domain IS NOT NULL OR u.account_id IS NOT NULL)"]
    values: list[object] = []
    if query.origin == "local":
        clauses.append("a.domain IS NULL")
    elif query.origin == "remote":
        clauses.append("a.domain IS NOT NULL")
    if query.status:
        clauses.append(_STATUS_CLAUSES[query.status])
    if query.staff:
        clauses.append("u.role IN ('admin', 'moderator')")
    for column, text in (("a.username", query.username), ("a.display_name", query.display_name),
                         ("u.email", query.email)):  # fmt: skip
        if text:
            clauses.append(f"{column} LIKE ? ESCAPE '\\'")
            values.append(_like(text))
    if query.by_domain:
        clauses.append("(lower(a.domain) = lower(?) OR lower(a.domain) LIKE lower(?) || ':%')")
        values += [query.by_domain, query.by_domain]
    for column, value in (("a.id <", query.max_id),
                          ("a.id >", query.min_id if query.min_id is not None
                           else query.since_id)):  # fmt: skip
        if value is not None:
            clauses.append(f"{column} ?")
            values.append(value)
    order = "ASC" if query.min_id is not None else "DESC"
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM accounts a LEFT JOIN users u ON u.account_id = a.id"
        f" WHERE {' AND '.join(clauses)} ORDER BY a.id {order} LIMIT ?",
        (*values, query.limit),
    )
    found = [_view(row) for row in await cursor.fetchall()]
    return sorted(found, key=lambda v: v.account.id, reverse=True)


async def get(conn: Reader, account_id: int) -> StaffView | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM accounts a LEFT JOIN users u ON u.account_id = a.id"
        " WHERE a.id = ?",
        (account_id,),
    )
    row = await cursor.fetchone()
    return _view(row) if row else None


def set_role(conn: Connection, account_id: int, role: str) -> None:
    conn.execute("UPDATE users SET role = ? WHERE account_id = ?", (role, account_id))


def end_follows(conn: Connection, account_id: int) -> int:
    """Delete every follow (and follow request) of the account and to it."""
    return conn.execute(
        "DELETE FROM follows WHERE follower_id = ? OR followed_id = ?", (account_id, account_id)
    ).rowcount
