"""Helpers for group tests on the rig: Follow activities from scripted remote actors, what the
instance queued to send, and the group's membership rows as the database has them."""

from __future__ import annotations

import json
from typing import Any

from fedi.context import Context
from fedi.db import follows
from fedi.db import groups as group_rows
from fedi.models import Account, Group
from fedi.remote_accounts import get_actor
from tests.testrig.fake_remote import RemoteActor

AS = "https://www.w3.org/ns/activitystreams"


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
