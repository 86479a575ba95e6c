"""SQL for the users table: a local member's sign-in side (role, approval, e-mail, password
hash, last activity), read together with the member's account row."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.models import Role, User
from fedi.core.timeutil import from_db
from fedi.db.accounts import ACCOUNT_COLUMNS, account_from_row
from fedi.db.connection import Connection, Reader, Row

USER_COLUMNS = (
    f"{ACCOUNT_COLUMNS}, u.role, u.is_approved, u.created_at AS user_created_at,"
    " u.locale AS user_locale"
)


def user_from_row(row: Row) -> User:
    role: Role = row["role"]
    return User(
        account=account_from_row(row),
        role=role,
        is_approved=bool(row["is_approved"]),
        created_at=from_db(row["user_created_at"]),
        locale=row["user_locale"],
    )


@dataclass(frozen=True)
class SignUpDetails:
    """What a member who registers themselves gives, beyond a username and password."""

    email: str | None
    locale: str | None
    reason: str
    app_id: int | None
    is_approved: bool


def insert_user(
    conn: Connection,
    account_id: int,
    password_hash: str,
    role: Role,
    created_at: str,
    sign_up: SignUpDetails | None = None,
) -> None:
    conn.execute(
        "INSERT INTO users (account_id, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
        (account_id, password_hash, role, created_at),
    )
    if sign_up is not None:
        conn.execute(
            "UPDATE users SET email = ?, locale = ?, sign_up_reason = ?, created_by_app_id = ?,"
            " is_approved = ? WHERE account_id = ?",
            (sign_up.email, sign_up.locale, sign_up.reason, sign_up.app_id,
             int(sign_up.is_approved), account_id),
        )  # fmt: skip


def email_taken(conn: Connection, email: str) -> bool:
    row = conn.execute("SELECT 1 FROM users WHERE lower(email) = lower(?)", (email,)).fetchone()
    return row is not None


def email_taken_by_other(conn: Connection, email: str, account_id: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM users WHERE lower(email) = lower(?) AND account_id != ?",
        (email, account_id),
    ).fetchone()
    return row is not None


async def email_in_use(conn: Reader, email: str) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM users WHERE lower(email) = lower(?) LIMIT 1", (email,)
    )
    return await cursor.fetchone() is not None


def set_approved(conn: Connection, account_id: int) -> int:
    return conn.execute(
        "UPDATE users SET is_approved = 1 WHERE account_id = ? AND is_approved = 0", (account_id,)
    ).rowcount


def delete_pending_member(conn: Connection, account_id: int) -> int:
    """A rejected sign-up: the account was never approved, so nothing of it left this server."""
    return conn.execute(
        "DELETE FROM accounts WHERE id = ? AND domain IS NULL AND id IN"
        " (SELECT account_id FROM users WHERE is_approved = 0)",
        (account_id,),
    ).rowcount


def set_password_hash(conn: Connection, account_id: int, password_hash: str) -> None:
    conn.execute(
        "UPDATE users SET password_hash = ? WHERE account_id = ?", (password_hash, account_id)
    )


def set_email(conn: Connection, account_id: int, email: str) -> None:
    """A new address, to be proven again (the same address keeps its confirmation)."""
    conn.execute(
        "UPDATE users SET email = ?, email_confirmed_at = CASE WHEN email = ?"
        " THEN email_confirmed_at END WHERE account_id = ?",
        (email, email, account_id),
    )


def set_locale(conn: Connection, account_id: int, locale: str | None) -> None:
    conn.execute("UPDATE users SET locale = ? WHERE account_id = ?", (locale, account_id))


async def get_email(conn: Reader, account_id: int) -> str | None:
    cursor = await conn.execute("SELECT email FROM users WHERE account_id = ?", (account_id,))
    row = await cursor.fetchone()
    return str(row[0]) if row and row[0] is not None else None


def touch_last_active(conn: Connection, account_id: int, at: str) -> None:
    conn.execute("UPDATE users SET last_active_at = ? WHERE account_id = ?", (at, account_id))


async def get_user(conn: Reader, username: str) -> User | None:
    cursor = await conn.execute(
        f"SELECT {USER_COLUMNS} FROM accounts a JOIN users u ON u.account_id = a.id"
        " WHERE a.domain IS NULL AND lower(a.username) = lower(?)",
        (username,),
    )
    row = await cursor.fetchone()
    return user_from_row(row) if row else None


async def get_user_by_email(conn: Reader, email: str) -> User | None:
    """The member whose e-mail address this is (compared without case), if exactly one."""
    cursor = await conn.execute(
        f"SELECT {USER_COLUMNS} FROM accounts a JOIN users u ON u.account_id = a.id"
        " WHERE a.domain IS NULL AND lower(u.email) = lower(?) LIMIT 2",
        (email,),
    )
    rows = list(await cursor.fetchall())
    return user_from_row(rows[0]) if len(rows) == 1 else None


async def list_users(conn: Reader) -> list[User]:
    cursor = await conn.execute(
        f"SELECT {USER_COLUMNS} FROM accounts a JOIN users u ON u.account_id = a.id ORDER BY a.id"
    )
    return [user_from_row(row) for row in await cursor.fetchall()]


async def get_password_hash(conn: Reader, account_id: int) -> str | None:
    cursor = await conn.execute(
        "SELECT password_hash FROM users WHERE account_id = ?", (account_id,)
    )
    row = await cursor.fetchone()
    return str(row[0]) if row else None


async def created_by_app_id(conn: Reader, account_id: int) -> int | None:
    """The app the member signed up through (POST /api/v1/accounts), if any."""
    cursor = await conn.execute(
        "SELECT created_by_app_id FROM users WHERE account_id = ?", (account_id,)
    )
    row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None
