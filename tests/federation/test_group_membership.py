"""Group membership across three full instances: A hosts a public, a private (partners-only, B a
partner and C not) and a local-only group; B has members, C has none. Joins, refusals, who may
read a private group's collections, and grants forged by other servers (security.md V2, V8,
V12)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fedi.accounts.members import add_member
from fedi.core.models import Account, Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows
from fedi.db import groups as group_rows
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.federation.remote_accounts import ActorError, get_actor, resolve_handle
from fedi.federation.signing import signer_for
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow, unfollow
from fedi.transport.http import HttpResponse
from tests.testrig.groups import approve_join
from tests.testrig.instances import Instance, federation, settle

AP = {"Accept": "application/activity+json"}
HTML_DE = {"Accept": "text/html", "Accept-Language": "de"}
PRIVATE_PATHS = [
    "outbox", "outbox?page=true", "followers", "followers?page=true", "following",
    "collections/featured", "moderators", "blocked",
]  # fmt: skip


@dataclass
class World:
    a: Instance
    b: Instance
    c: Instance
    climate: Group  # public
    casework: Group  # private, partners-only: B is a partner, C is not
    shelter: Group  # private and local-only
    bob: Account  # on B
    bert: Account  # on B, never a member
    carol: Account  # on C


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with federation(tmp_path, "a", "b", "c") as (a, b, c):
        await add_member(a.ctx, "olga", "password-olga")
        climate = await create_group(a.ctx, "climate", "olga")
        casework = await create_group(a.ctx, "casework", "olga", is_private=True)
        shelter = await create_group(a.ctx, "shelter", "olga", is_private=True,
                                     is_local_only=True)  # fmt: skip
        now = to_db(utcnow())
        await a.ctx.db.write(
            lambda conn: group_rows.add_partner_domain(conn, casework.id, b.domain, now)
        )
        bob = (await add_member(b.ctx, "bob", "password-bob")).account
        bert = (await add_member(b.ctx, "bert", "password-bert")).account
        carol = (await add_member(c.ctx, "carol", "password-carol")).account
        yield World(a, b, c, climate, casework, shelter, bob, bert, carol)


async def state_on(instance: Instance, follower_uri: str, followed_uri: str) -> str | None:
    async with instance.ctx.db.read() as conn:
        follower = await accounts.get_by_uri(conn, follower_uri)
        followed = await accounts.get_by_uri(conn, followed_uri)
        if follower is None or followed is None:
            return None
        found = await follows.get_follow(conn, follower.id, followed.id)
    return found[2] if found else None


async def on_a(w: World, account: Account) -> Account:
    async with w.a.ctx.db.read() as conn:
        found = await accounts.get_by_uri(conn, account.uri)
    assert found is not None
    return found


async def join(w: World, instance: Instance, member: Account, group: Group) -> None:
    """member (on instance) asks to join and a moderator approves."""
    await follow(instance.ctx, member.username, w.a.handle(group.account.username))
    await settle(w.a, w.b, w.c)
    await approve_join(w.a.ctx, group, await on_a(w, member))
    await settle(w.a, w.b, w.c)
    assert await state_on(instance, member.uri, group.account.uri) == "accepted"


def received(instance: Instance, kind: str) -> list[dict[str, Any]]:
    return [r.activity for r in instance.received if r.activity.get("type") == kind]


async def post_as(instance: Instance, actor: Account, url: str, activity: dict[str, Any]) -> int:
    """A signed POST made by hand as one of the instance's own accounts (a forgery attempt)."""
    body = json.dumps(activity).encode()
    headers = {"Content-Type": "application/activity+json"}
    sign = signer_for(instance.ctx, actor)
    response = await instance.ctx.http.post(url, body, headers, sign=sign)
    return response.status


async def test_joining_public_and_private_groups(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        a, b, c = w.a, w.b, w.c
        # Public: accepted at once, for a partner or not.
        for instance, member in ((b, w.bob), (c, w.carol)):
            assert await follow(instance.ctx, member.username, a.handle("climate")) == "pending"
        await settle(a, b, c)
        for instance, member in ((b, w.bob), (c, w.carol)):
            assert await state_on(instance, member.uri, w.climate.account.uri) == "accepted"
            assert await state_on(a, member.uri, w.climate.account.uri) == "accepted"

        # Private, from a partner: pending on both sides, with no answer, until approved.
        await follow(b.ctx, "bob", a.handle("casework"))
        await settle(a, b, c)
        assert await state_on(b, w.bob.uri, w.casework.account.uri) == "pending"
        assert await state_on(a, w.bob.uri, w.casework.account.uri) == "pending"
        assert not [x for x in received(b, "Accept") if x["actor"] == w.casework.account.uri]
        await approve_join(a.ctx, w.casework, await on_a(w, w.bob))
        await settle(a, b, c)
        assert await state_on(b, w.bob.uri, w.casework.account.uri) == "accepted"

        # Private, from a server that is not a partner: refused with Reject, logged with the
        # domain, and C's own follow is gone.
        await follow(c.ctx, "carol", a.handle("casework"))
        await settle(a, b, c)
        [reject] = [x for x in received(c, "Reject") if x["actor"] == w.casework.account.uri]
        assert reject["object"]["actor"] == w.carol.uri
        assert await state_on(c, w.carol.uri, w.casework.account.uri) is None
        assert await state_on(a, w.carol.uri, w.casework.account.uri) is None
        async with a.ctx.db.read() as conn:
            entries = await group_rows.log_entries(conn, w.casework.id)
        assert (entries[0].action, entries[0].target_domain) == ("refused_domain", c.domain)


async def test_a_banned_members_new_follow_is_refused(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        a, b, c = w.a, w.b, w.c
        await join(w, b, w.bob, w.casework)
        bob_on_a = await on_a(w, w.bob)
        now = to_db(utcnow())

        def ban(conn: sqlite3.Connection) -> None:
            group_rows.ban(conn, w.casework.id, bob_on_a.id, "leaked a post", None, now)
            follows.delete_follow(conn, bob_on_a.id, w.casework.id)

        await a.ctx.db.write(ban)
        await unfollow(b.ctx, "bob", a.handle("casework"))
        await settle(a, b, c)
        await follow(b.ctx, "bob", a.handle("casework"))
        await settle(a, b, c)
        assert [x for x in received(b, "Reject") if x["actor"] == w.casework.account.uri]
        assert await state_on(b, w.bob.uri, w.casework.account.uri) is None
        assert await state_on(a, w.bob.uri, w.casework.account.uri) is None


async def test_a_local_only_group_cannot_be_found_fetched_or_joined_elsewhere(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        a, b, c = w.a, w.b, w.c
        shelter = w.shelter.account
        for instance, member in ((b, w.bob), (c, w.carol)):
            with pytest.raises(ActorError, match="404"):
                await resolve_handle(instance.ctx, a.handle("shelter"))
            with pytest.raises(DereferenceError, match="404"):
                await fetch_document(instance.ctx, shelter.uri)
            with pytest.raises(ActorError):
                await follow(instance.ctx, member.username, a.handle("shelter"))
        # A Follow written by hand to the shared inbox gets no answer at all.
        forged = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{w.bob.uri}#follows/by-hand",
            "type": "Follow",
            "actor": w.bob.uri,
            "object": shelter.uri,
        }
        assert await post_as(b, w.bob, f"{a.base}/users/shelter/inbox", forged) == 404
        assert await post_as(b, w.bob, f"{a.base}/inbox", forged) == 202
        await settle(a, b, c)
        assert await state_on(a, w.bob.uri, shelter.uri) is None
        assert not [x for x in b.received if x.activity.get("actor") == shelter.uri]
        # Local members still ask to join, and wait for a moderator.
        await add_member(a.ctx, "lena", "password-lena")
        assert await follow(a.ctx, "lena", "@shelter@" + a.domain) == "pending"


def comparable(response: HttpResponse) -> tuple[int, bytes, dict[str, str]]:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status, response.body, headers


async def test_who_may_read_a_private_groups_collections(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        a, b, c = w.a, w.b, w.c
        gone = (await add_member(b.ctx, "gone", "password-gone")).account
        await join(w, b, w.bob, w.casework)
        await join(w, b, gone, w.casework)
        gone_on_a = await on_a(w, gone)
        url = f"{a.base}/users/casework/followers?page=true"
        before = await b.ctx.http.get(url, AP, sign=signer_for(b.ctx, gone))
        assert before.status == 200
        # A moderator removes gone; its very next fetch is refused.
        await a.ctx.db.write(lambda conn: follows.delete_follow(conn, gone_on_a.id, w.casework.id))

        readers = [(b, w.bob), (b, b.ctx.instance_actor)]
        others = [(None, None), (c, w.carol), (b, w.bert), (b, gone), (c, c.ctx.instance_actor)]
        for path in PRIVATE_PATHS:
            url = f"{a.base}/users/casework/{path}"
            missing_url = f"{a.base}/users/xxxxxxxx/{path}"  # as long a name: same body length
            for accept in (AP, {**AP, "Accept-Language": "de"}, HTML_DE):
                for instance, signer in others:
                    # Compared with what the same signer gets for a group that never was.
                    if instance is None or signer is None:
                        response = await c.ctx.http.get(url, accept)
                        missing = await c.ctx.http.get(missing_url, accept)
                    else:
                        sign = signer_for(instance.ctx, signer)
                        response = await instance.ctx.http.get(url, accept, sign=sign)
                        missing = await instance.ctx.http.get(missing_url, accept, sign=sign)
                    expected = comparable(missing)
                    status, body, headers = comparable(response)
                    assert status == 404, (path, signer.uri if signer else None)
                    assert (status, body.replace(b"casework", b"xxxxxxxx"), headers) == expected
            for instance, signer in readers:
                sign = signer_for(instance.ctx, signer)
                response = await instance.ctx.http.get(url, AP, sign=sign)
                assert response.status == 200, (path, signer.uri)
                assert json.loads(response.body)["id"].startswith(f"{a.base}/users/casework/")
        members = await fetch_document(b.ctx, f"{a.base}/users/casework/followers?page=true")
        assert members["orderedItems"] == [w.bob.uri]
        # The group itself is public: anyone can find it and ask to join.
        assert (await fetch_document(c.ctx, w.casework.account.uri))["type"] == "Group"


async def test_other_servers_cannot_grant_membership(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        a, b, c = w.a, w.b, w.c
        await follow(b.ctx, "bob", a.handle("casework"))
        await settle(a, b, c)
        assert await state_on(a, w.bob.uri, w.casework.account.uri) == "pending"
        # Carol (on C) is even a moderator of the group.
        carol_on_a = (await get_actor(a.ctx, w.carol.uri)).id
        now = to_db(utcnow())
        await a.ctx.db.write(
            lambda conn: group_rows.add_moderator(conn, w.casework.id, carol_on_a, "moderator", now)
        )
        async with a.ctx.db.read() as conn:
            asked = await follows.get_follow(conn, (await on_a(w, w.bob)).id, w.casework.id)
        assert asked is not None
        request = {"id": asked[1], "type": "Follow", "actor": w.bob.uri,
                   "object": w.casework.account.uri}  # fmt: skip
        context = "https://www.w3.org/ns/activitystreams"
        forgeries: list[dict[str, Any]] = [
            {"id": f"{w.carol.uri}#accepts/1", "type": "Accept", "object": request},
            {"id": f"{w.carol.uri}#accepts/2", "type": "Accept", "object": request["id"]},
            {"id": f"{w.carol.uri}#adds/1", "type": "Add", "object": w.bob.uri,
             "target": w.casework.account.followers_uri},
            {"id": f"{w.carol.uri}#adds/2", "type": "Add", "object": w.carol.uri,
             "target": f"{w.casework.account.uri}/moderators"},
        ]  # fmt: skip
        for forged in forgeries:
            forged.update({"@context": context, "actor": w.carol.uri})
            assert await post_as(c, w.carol, f"{a.base}/inbox", forged) == 202
        # Bob cannot accept himself either.
        own = {"@context": context, "id": f"{w.bob.uri}#accepts/1", "type": "Accept",
               "actor": w.bob.uri, "object": request}  # fmt: skip
        assert await post_as(b, w.bob, f"{a.base}/users/casework/inbox", own) == 202
        await settle(a, b, c)
        assert await state_on(a, w.bob.uri, w.casework.account.uri) == "pending"
        assert await state_on(a, w.carol.uri, w.casework.account.uri) is None
        async with a.ctx.db.read() as conn:
            assert await group_rows.member_count(conn, w.casework.id) == 0
            roles = await group_rows.moderator_role(conn, w.casework.id, carol_on_a)
        assert roles == "moderator"  # unchanged, and no owner made from afar
        assert await state_on(b, w.bob.uri, w.casework.account.uri) == "pending"
