"""SQL for oauth_apps, oauth_codes and oauth_tokens (hashes only, never the secrets)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from fedi.core.models import User
from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader, Row
from fedi.db.row_memo import RowMemo
from fedi.db.users import USER_COLUMNS, user_from_row


@dataclass(frozen=True)
class App:
    id: int
    client_id: str
    client_secret_hash: str
    name: str
    website: str | None
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Code:
    app_id: int
    account_id: int
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    created_at: str


@dataclass(frozen=True)
class Token:
    id: int
    app: App
    user: User | None
    scopes: tuple[str, ...]
    created_at: int  # seconds since the epoch, as the token response carries it


@dataclass(frozen=True)
class AuthorisedApp:
    """A live token a member gave an app, as their settings list it."""

    token_id: int
    app_name: str
    website: str | None
    scopes: tuple[str, ...]
    created_at: datetime


def _app(row: Row) -> App:
    return App(
        id=row["id"],
        client_id=row["client_id"],
        client_secret_hash=row["client_secret_hash"],
        name=row["name"],
        website=row["website"],
        redirect_uris=tuple(json.loads(row["redirect_uris"])),
        scopes=tuple(row["scopes"].split()),
    )


def insert_app(conn: Connection, app: App, now: str) -> None:
    conn.execute(
        "INSERT INTO oauth_apps (id, client_id, client_secret_hash, name, website, redirect_uris,"
        " scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (app.id, app.client_id, app.client_secret_hash, app.name, app.website,
         json.dumps(list(app.redirect_uris)), " ".join(app.scopes), now),
    )  # fmt: skip


async def app_by_client_id(conn: Reader, client_id: str) -> App | None:
    cursor = await conn.execute("SELECT * FROM oauth_apps WHERE client_id = ?", (client_id,))
    row = await cursor.fetchone()
    return _app(row) if row else None


def insert_code(conn: Connection, code_hash: str, code: Code) -> None:
    conn.execute(
        "INSERT INTO oauth_codes (code_hash, app_id, account_id, redirect_uri, scopes,"
        " code_challenge, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code_hash, code.app_id, code.account_id, code.redirect_uri, " ".join(code.scopes),
         code.code_challenge, code.created_at),
    )  # fmt: skip


def take_code(conn: Connection, code_hash: str) -> Code | None:
    """The code, deleted in the same step: a code is good for one exchange only."""
    row = conn.execute("SELECT * FROM oauth_codes WHERE code_hash = ?", (code_hash,)).fetchone()
    if row is None:
        return None
    conn.execute("DELETE FROM oauth_codes WHERE code_hash = ?", (code_hash,))
    return Code(
        app_id=row["app_id"],
        account_id=row["account_id"],
        redirect_uri=row["redirect_uri"],
        scopes=tuple(row["scopes"].split()),
        code_challenge=row["code_challenge"],
        created_at=row["created_at"],
    )


def insert_token(
    conn: Connection,
    *,
    token_id: int,
    token_hash: str,
    refresh_hash: str | None,
    app_id: int,
    account_id: int | None,
    scopes: tuple[str, ...],
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO oauth_tokens (id, token_hash, refresh_hash, app_id, account_id, scopes,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (token_id, token_hash, refresh_hash, app_id, account_id, " ".join(scopes), now),
    )


def revoke(conn: Connection, token_hash: str, app_id: int, now: str) -> int:
    return conn.execute(
        "UPDATE oauth_tokens SET revoked_at = ? WHERE (token_hash = ? OR refresh_hash = ?)"
        " AND app_id = ? AND revoked_at IS NULL",
        (now, token_hash, token_hash, app_id),
    ).rowcount


def revoke_for_account(conn: Connection, account_id: int, now: str) -> int:
    return conn.execute(
        "UPDATE oauth_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
        (now, account_id),
    ).rowcount


def take_refresh(conn: Connection, refresh_hash: str, app_id: int, now: str) -> Row | None:
    """The token a refresh token belongs to, revoked in the same step (rotation)."""
    row = conn.execute(
        "SELECT account_id, scopes FROM oauth_tokens WHERE refresh_hash = ? AND app_id = ?"
        " AND revoked_at IS NULL",
        (refresh_hash, app_id),
    ).fetchone()
    if row is not None:
        conn.execute(
            "UPDATE oauth_tokens SET revoked_at = ? WHERE refresh_hash = ?", (now, refresh_hash)
        )
    return row  # type: ignore[no-any-return]


def _token_parts(row: Row) -> tuple[int, App, tuple[str, ...], int, User | None]:
    app = App(
        id=row["app_id"],
        client_id=row["client_id"],
        client_secret_hash=row["client_secret_hash"],
        name=row["name"],
        website=row["website"],
        redirect_uris=tuple(json.loads(row["redirect_uris"])),
        scopes=tuple(row["scopes"].split()),
    )
    return (
        row["token_id"],
        app,
        tuple(row["token_scopes"].split()),
        int(from_db(row["token_created"]).timestamp()),
        user_from_row(row) if row["token_account"] is not None and row["user_ok"] else None,
    )


# Every API request resolves its token: the token's, its app's and its member's rows are read
# each time in one statement (a revoked token or a suspended member fails at once), their
# models kept (fedi.db.row_memo).
_token_memo = RowMemo(_token_parts, 512)


async def token_by_hash(conn: Reader, token_hash: str) -> Token | None:
    """A live token: not revoked, and its member (if any) neither suspended nor unapproved."""
    cursor = await conn.execute(
        "SELECT t.id AS token_id, t.account_id AS token_account, t.scopes AS token_scopes,"
        " t.created_at AS token_created, p.id AS app_id, p.client_id, p.client_secret_hash,"
        f" p.name, p.website, p.redirect_uris, p.scopes, {USER_COLUMNS},"
        " (a.suspended_at IS NULL AND u.is_approved = 1) AS user_ok FROM oauth_tokens t"
        " JOIN oauth_apps p ON p.id = t.app_id"
        " LEFT JOIN accounts a ON a.id = t.account_id LEFT JOIN users u ON u.account_id = a.id"
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        (token_hash,),
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    token_id, app, scopes, created_at, user = _token_memo(row)
    if row["token_account"] is not None and user is None:
        return None  # security.md A5: a suspended member's tokens stop at once
    return Token(id=token_id, app=app, user=user, scopes=scopes, created_at=created_at)


async def held_by_pending_member(conn: Reader, token_hash: str) -> bool:
    """Whether this live token belongs to a member whose sign-up awaits approval."""
    cursor = await conn.execute(
        "SELECT 1 FROM oauth_tokens t JOIN users u ON u.account_id = t.account_id"
        " JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = ? AND t.revoked_at IS NULL"
        " AND u.is_approved = 0 AND a.suspended_at IS NULL",
        (token_hash,),
    )
    return await cursor.fetchone() is not None


async def live_tokens_of(conn: Reader, account_id: int) -> list[AuthorisedApp]:
    """The member's tokens that still work, newest first."""
    cursor = await conn.execute(
        "SELECT t.id, p.name, p.website, t.scopes, t.created_at FROM oauth_tokens t"
        " JOIN oauth_apps p ON p.id = t.app_id WHERE t.account_id = ? AND t.revoked_at IS NULL"
        " ORDER BY t.created_at DESC, t.id DESC LIMIT 200",
        (account_id,),
    )
    return [
        AuthorisedApp(row[0], row[1], row[2], tuple(row[3].split()), from_db(row[4]))
        for row in await cursor.fetchall()
    ]


def revoke_by_id(conn: Connection, token_id: int, account_id: int, now: str) -> int:
    """Revoke one of the member's own tokens (another member's id changes nothing)."""
    return conn.execute(
        "UPDATE oauth_tokens SET revoked_at = ? WHERE id = ? AND account_id = ?"
        " AND revoked_at IS NULL",
        (now, token_id, account_id),
    ).rowcount
