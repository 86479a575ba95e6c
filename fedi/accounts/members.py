"""Local members: creating them with their own key pair, passwords, roles and suspension.

These are the functions the command line calls now and the client API and admin pages will call.
"""

from __future__ import annotations

import asyncio
import re

from fedi.accounts.passwords import PasswordError, check_strength, hash_password
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import ROLES, ActorType, Role, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, oauth, sessions, users
from fedi.db.connection import Connection
from keys.keypair import generate_keypair

# Mastodon's rule for local usernames: letters, digits and underscores, at most 30.
USERNAME = re.compile(r"^[A-Za-z0-9_]{1,30}$")


class MemberError(Exception):
    """A member operation cannot be done; the message says why, for a person to read."""


class TakenError(MemberError):
    """The username or e-mail address (`field`) belongs to someone already."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise MemberError(
            f"invalid username {username!r}: use 1 to 30 letters, digits or underscores"
        )


async def add_member(
    context: Context,
    username: str,
    password: str,
    role: Role = "member",
    *,
    sign_up: users.SignUpDetails | None = None,
) -> User:
    """A new member with a key pair. `sign_up` carries what a self-registration adds (e-mail,
    reason, app, and whether the account waits for approval)."""
    check_username(username)
    if role not in ROLES:
        raise MemberError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    try:
        check_strength(password)
    except PasswordError as exc:
        raise MemberError(str(exc)) from None
    async with context.db.read() as conn:
        if await accounts.get_local_actor(conn, username, include_pending=True) is not None:
            raise TakenError("username", f"the username {username!r} is already taken")

    password_hash, keypair = await asyncio.gather(
        asyncio.to_thread(hash_password, password), asyncio.to_thread(generate_keypair)
    )
    account_id = ids.new_id()
    now = to_db(utcnow())
    new = local_actor(context, account_id, username, "Person", keypair.public_pem, now)

    def insert(conn: Connection) -> None:
        if accounts.local_username_taken(conn, username):
            raise TakenError("username", f"the username {username!r} is already taken")
        if sign_up and sign_up.email and users.email_taken(conn, sign_up.email):
            raise TakenError("email", "the e-mail address is already taken")
        accounts.insert_local_account(conn, new)
        users.insert_user(conn, account_id, password_hash, role, now, sign_up)

    context.keys.save(account_id, keypair.private_pem)
    try:
        await context.db.write(insert)
    except BaseException:
        context.keys.delete(account_id)
        raise
    return await get_member(context, username)


def local_actor(
    context: Context,
    account_id: int,
    username: str,
    actor_type: ActorType,
    public_pem: str,
    now: str,
    *,
    display_name: str = "",
    is_locked: bool = False,
    is_discoverable: bool = True,
) -> accounts.NewLocalAccount:
    """The row of a new local actor (a member or a group), with every URI it is known by."""
    uri = context.urls.actor(username)
    return accounts.NewLocalAccount(
        id=account_id,
        uri=uri,
        username=username,
        actor_type=actor_type,
        url=context.urls.profile(username),
        inbox_uri=f"{uri}/inbox",
        shared_inbox_uri=context.urls.shared_inbox,
        outbox_uri=f"{uri}/outbox",
        followers_uri=f"{uri}/followers",
        following_uri=f"{uri}/following",
        featured_uri=f"{uri}/collections/featured",
        public_key_id=context.urls.key_id(uri),
        public_key_pem=public_pem,
        display_name=display_name,
        is_locked=is_locked,
        is_bot=False,
        is_discoverable=is_discoverable,
        created_at=now,
    )


async def get_member(context: Context, username: str) -> User:
    async with context.db.read() as conn:
        user = await users.get_user(conn, username)
    if user is None:
        raise MemberError(f"no member is called {username!r}")
    return user


async def list_members(context: Context) -> list[User]:
    async with context.db.read() as conn:
        return await users.list_users(conn)


async def set_password(context: Context, username: str, password: str) -> None:
    user = await get_member(context, username)
    try:
        check_strength(password)
    except PasswordError as exc:
        raise MemberError(str(exc)) from None
    password_hash = await asyncio.to_thread(hash_password, password)

    def change(conn: Connection) -> None:
        users.set_password_hash(conn, user.account.id, password_hash)
        # Signed-in browsers and apps must sign in again (security.md A5).
        sessions.delete_for_account(conn, user.account.id)
        oauth.revoke_for_account(conn, user.account.id, to_db(utcnow()))

    await context.db.write(change)


async def set_suspended(context: Context, username: str, suspended: bool) -> User:
    user = await get_member(context, username)
    if suspended and user.account.is_suspended:
        raise MemberError(f"{username} is already suspended")
    if not suspended and not user.account.is_suspended:
        raise MemberError(f"{username} is not suspended")
    at = to_db(utcnow()) if suspended else None

    def change(conn: Connection) -> None:
        accounts.set_suspended(conn, user.account.id, at)
        if suspended:
            sessions.delete_for_account(conn, user.account.id)

    await context.db.write(change)
    return await get_member(context, username)


async def approve_member(context: Context, username: str) -> User:
    """Let a member who registered while registrations needed approval sign in."""
    user = await get_member(context, username)
    if user.is_approved:
        raise MemberError(f"{username} is not waiting for approval")
    await context.db.write(lambda conn: users.set_approved(conn, user.account.id))
    return await get_member(context, username)


async def reject_member(context: Context, username: str) -> None:
    """Refuse a sign-up waiting for approval: the account is deleted (as Mastodon does), which
    frees its username and e-mail address. Nothing of it was ever federated."""
    user = await get_member(context, username)
    if user.is_approved:
        raise MemberError(f"{username} is not waiting for approval")
    deleted = await context.db.write(
        lambda conn: users.delete_pending_member(conn, user.account.id)
    )
    if deleted:
        context.keys.delete(user.account.id)
