"""Group membership for tests, written straight into the follows tables (an accepted follow of
the group is membership), so that tests of what members receive do not depend on how join
requests are approved."""

from __future__ import annotations

from fedi.context import Context
from fedi.db import accounts, follows
from fedi.models import Account
from fedi.remote_accounts import resolve_handle
from fedi.timeutil import to_db, utcnow


async def local_account(context: Context, username: str) -> Account:
    async with context.db.read() as conn:
        account = await accounts.get_local_actor(conn, username)
    assert account is not None, username
    return account


async def accept_follow(context: Context, follower: Account, followed: Account) -> None:
    now = to_db(utcnow())
    uri = f"{follower.uri}#follows/test-{followed.id}"
    await context.db.write(
        lambda conn: follows.upsert_follow(
            conn,
            follower_id=follower.id,
            followed_id=followed.id,
            uri=uri,
            state="accepted",
            now=now,
        )
    )


async def join(
    group_context: Context,
    group_name: str,
    member_context: Context,
    username: str,
) -> None:
    """Make username (on member_context's server) a member of the group on group_context's."""
    group = await local_account(group_context, group_name)
    member = await local_account(member_context, username)
    if group_context is member_context:
        await accept_follow(group_context, member, group)
        return
    member_there = await resolve_handle(
        group_context, f"{username}@{member_context.settings.domain}"
    )
    group_here = await resolve_handle(
        member_context, f"{group_name}@{group_context.settings.domain}"
    )
    await accept_follow(group_context, member_there, group)
    await accept_follow(member_context, member, group_here)


async def leave(group_context: Context, group_name: str, member_uri: str) -> None:
    """The group's server forgets the member (as a removal by a moderator would)."""
    group = await local_account(group_context, group_name)
    async with group_context.db.read() as conn:
        member = await accounts.get_by_uri(conn, member_uri)
    assert member is not None
    await group_context.db.write(lambda conn: follows.delete_follow(conn, member.id, group.id))
