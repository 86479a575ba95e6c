"""Who can act as a member: their open web sessions and the apps holding their tokens, listed
for their settings and revoked one by one. A revoked session or token fails on its next request:
both are looked up in the database on every request."""

from __future__ import annotations

from fedi.accounts.auth import SESSION_LIFETIME, token_hash
from fedi.context import Context
from fedi.core.models import User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import oauth, sessions
from fedi.db.oauth import AuthorisedApp
from fedi.db.sessions import OpenSession


async def open_sessions(context: Context, user: User) -> list[OpenSession]:
    not_before = to_db(utcnow() - SESSION_LIFETIME)
    async with context.db.read() as conn:
        return await sessions.list_for_account(conn, user.account.id, not_before)


def is_current(session: OpenSession, cookie_token: str | None) -> bool:
    """Whether this is the session of the browser asking (by its cookie)."""
    return bool(cookie_token) and session.token_hash == token_hash(cookie_token or "")


async def end_session_of(context: Context, user: User, session_id: int) -> bool:
    return bool(
        await context.db.write(
            lambda conn: sessions.delete_by_id(conn, session_id, user.account.id)
        )
    )


async def authorised_apps(context: Context, user: User) -> list[AuthorisedApp]:
    async with context.db.read() as conn:
        return await oauth.live_tokens_of(conn, user.account.id)


async def revoke_token_of(context: Context, user: User, token_id: int) -> bool:
    now = to_db(utcnow())
    return bool(
        await context.db.write(
            lambda conn: oauth.revoke_by_id(conn, token_id, user.account.id, now)
        )
    )
