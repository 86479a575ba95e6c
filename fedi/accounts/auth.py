"""Signing in on the web: checking a member's password, opening and ending sessions.

A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256.
Suspension and password changes end a member's sessions at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta

from fedi.accounts.passwords import hash_password, verify_password
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import sessions, users
from fedi.db.connection import Connection

SESSION_LIFETIME = timedelta(days=30)


class SignInError(Exception):
    """Sign-in refused; `reason` is one of: credentials, suspended, pending."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Authenticator:
    """Checks passwords. An unknown username is verified against a decoy hash, so that a wrong
    name costs the same time as a wrong password and names cannot be found by timing."""

    def __init__(self) -> None:
        self._decoy: str | None = None

    async def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = await asyncio.to_thread(hash_password, secrets.token_urlsafe(16))
        return self._decoy

    async def check_password(self, context: Context, username: str, password: str) -> User:
        async with context.db.read() as conn:
            user = await users.get_user(conn, username) if username else None
            if user is None and "@" in username:  # an e-mail address, as Mastodon signs in
                user = await users.get_user_by_email(conn, username)
            stored = await users.get_password_hash(conn, user.account.id) if user else None
        if user is None or stored is None:
            await asyncio.to_thread(verify_password, password, await self._decoy_hash())
            raise SignInError("credentials")
        if not await asyncio.to_thread(verify_password, password, stored):
            raise SignInError("credentials")
        if user.account.is_suspended:
            raise SignInError("suspended")
        if not user.is_approved:
            raise SignInError("pending")
        return user


async def open_session(context: Context, user: User, user_agent: str, ip: str) -> str:
    token = secrets.token_urlsafe(32)
    now = to_db(utcnow())

    def record(conn: Connection) -> None:
        sessions.insert(
            conn,
            session_id=ids.new_id(),
            token_hash=token_hash(token),
            account_id=user.account.id,
            user_agent=user_agent,
            ip=ip,
            created_at=now,
        )
        users.touch_last_active(conn, user.account.id, now)

    await context.db.write(record)
    return token


async def session_user(context: Context, token: str | None) -> User | None:
    if not token or len(token) > 128:
        return None
    not_before = to_db(utcnow() - SESSION_LIFETIME)
    async with context.db.read() as conn:
        return await sessions.user_for(conn, token_hash(token), not_before)


async def end_session(context: Context, token: str) -> None:
    await context.db.write(lambda conn: sessions.delete(conn, token_hash(token)))
