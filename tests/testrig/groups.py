"""Helpers for group tests: membership written straight into the follows table (an accepted
follow of the group is membership), so tests of what members receive do not depend on how joins
are approved; Follow activities from scripted remote actors, what an instance queued to send, and
the group's membership rows and log as the database has them."""

from __future__ import annotations

import json
from typing import Any

from fedi.accounts.members import get_member
from fedi.context import Context
from fedi.core.models import Account, Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows
from fedi.db import groups as group_rows
from fedi.federation.remote_accounts import get_actor, resolve_handle
from fedi.groups import moderation
from tests.testrig.fake_remote import RemoteActor

AS = "https://www.w3.org/ns/activitystreams"


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


def base_of(actor: RemoteActor) -> str:
    return actor.uri.rsplit("/users/", 1)[0]


def follow_of(actor: RemoteActor, object_uri: str, n: int = 1) -> dict[str, Any]:
    return {
        "@context": AS,
        "id": f"{base_of(actor)}/follows/{n}",
        "type": "Follow",
        "actor": actor.uri,
        "object": object_uri,
    }


def activity(actor: RemoteActor, kind: str, obj: Any, n: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "@context": AS,
        "id": f"{base_of(actor)}/{kind.lower()}s/{n}",
        "type": kind,
        "actor": actor.uri,
        "object": obj,
        **extra,
    }


async def account_of(context: Context, actor: RemoteActor) -> Account:
    """The scripted actor as the instance knows it (fetched from its server if need be)."""
    return await get_actor(context, actor.uri)


async def queued(context: Context) -> list[dict[str, Any]]:
    """Every activity the instance queued for sending, oldest first."""
    async with context.db.read() as conn:
        cursor = await conn.execute("SELECT body FROM outbox_activities ORDER BY id")
        return [json.loads(row[0]) for row in await cursor.fetchall()]


async def state_in(context: Context, group: Group, account: Account) -> str | None:
    async with context.db.read() as conn:
        found = await follows.get_follow(conn, account.id, group.id)
    return found[2] if found else None


async def log_actions(context: Context, group: Group) -> list[tuple[str, str | None]]:
    """(action, target domain) of the group's log, oldest first, without its creation."""
    async with context.db.read() as conn:
        entries = await group_rows.log_entries(conn, group.id)
    return [(e.action, e.target_domain) for e in reversed(entries) if e.action != "create"]


async def approve_join(
    context: Context, group: Group, account: Account, *, moderator: Account | None = None
) -> None:
    """A moderator (the group's owner unless named) approves a pending join request, as the
    requests page does."""
    async with context.db.read() as conn:
        mods = await group_rows.moderators(conn, group.id)
    chosen = moderator or next(m.account for m in mods if m.role == "owner")
    await moderation.approve(context, group, await get_member(context, chosen.username), account.id)
