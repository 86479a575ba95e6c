"""Local-only posts never leave their instance: not delivered to a follower's server, not served to
it even on a signed fetch by that follower, and their edits, deletion, boosts and favourites send
nothing; a normal post beside them travels as usual."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from fedi.accounts.members import add_member
from fedi.db import accounts, statuses
from fedi.federation.signing import signer_for
from fedi.relationships.relationships import follow
from fedi.statuses.interactions import boost, favourite, unboost, unfavourite
from fedi.statuses.posting import delete_status, edit_status, pin_status, post_status
from tests.api.tokens import bearer
from tests.testrig.instances import Instance, federation, settle

AP = {"Accept": "application/activity+json"}
COMPARED = ("content-type", "content-length", "vary", "cache-control")


async def stored(instance: Instance, uri: str) -> bool:
    async with instance.ctx.db.read() as conn:
        return await statuses.get_by_uri(conn, uri) is not None


def everything_received(instance: Instance) -> str:
    return "\n".join(json.dumps(r.activity) for r in instance.received)


def received_types(instance: Instance, since: int) -> list[str]:
    return [str(r.activity.get("type")) for r in instance.received[since:]]


async def test_a_local_only_post_is_never_delivered_nor_served(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(a.ctx, "dora", "dora-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        before = len(b.received)

        normal = await post_status(a.ctx, "alice", "For everyone")
        hidden = await post_status(
            a.ctx, "alice", f"Members only, {b.handle('bob')}", local_only=True
        )
        hidden_private = await post_status(
            a.ctx, "alice", "Members who follow me", "private", local_only=True
        )
        reply = await post_status(a.ctx, "dora", "A reply stays here", in_reply_to_id=hidden.id)
        await settle(a, b)

        assert received_types(b, before) == ["Create"]  # the normal post, nothing else
        assert await stored(b, normal.uri)
        for kept in (hidden, hidden_private, reply):
            assert kept.uri not in everything_received(b)
            assert not await stored(b, kept.uri)
        assert reply.is_local_only

        # Signed by bob himself (a follower of alice) and by bob's server: a missing post's 404.
        async with b.ctx.db.read() as conn:
            bob = await accounts.get_local_actor(conn, "bob")
        assert bob is not None
        missing = f"{a.base}/users/alice/statuses/{hidden.id + 7}"
        for signer in (bob, b.ctx.instance_actor):
            sign = signer_for(b.ctx, signer)
            for suffix in ("", "/activity", "/replies"):
                absent = await b.ctx.http.get(missing + suffix, AP, sign=sign)
                for kept in (hidden, hidden_private):
                    answer = await b.ctx.http.get(kept.uri + suffix, AP, sign=sign)
                    assert answer.status == absent.status == 404, suffix
                    assert answer.body == absent.body
                    for header in COMPARED:
                        assert answer.headers.get(header) == absent.headers.get(header), header
            normal_answer = await b.ctx.http.get(normal.uri, AP, sign=sign)
            assert normal_answer.status == 200  # the same request for a normal post works

        # Searching from bob's server resolves the normal post's URL, never the local-only one.
        loopback = f"http://127.0.0.1:{b.port}"
        async with httpx.AsyncClient(base_url=loopback, headers={"Host": b.domain}) as http:
            auth = await bearer(http, "bob", "read")
            found: dict[str, list[str]] = {}
            for status in (normal, hidden):
                result = await http.get(
                    "/api/v2/search",
                    params={"q": status.uri, "resolve": "true", "type": "statuses"},
                    headers=auth,
                )
                found[status.uri] = [s["uri"] for s in result.json()["statuses"]]
        assert found == {normal.uri: [normal.uri], hidden.uri: []}


async def test_what_happens_to_a_local_only_post_sends_nothing(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(a.ctx, "dora", "dora-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await follow(b.ctx, "bob", a.handle("dora"))
        await settle(a, b)
        normal = await post_status(a.ctx, "alice", "For everyone")
        hidden = await post_status(a.ctx, "alice", "Members only", local_only=True)
        doomed = await post_status(a.ctx, "alice", "Members only, soon gone", local_only=True)
        await settle(a, b)
        before = len(b.received)

        await edit_status(a.ctx, "alice", hidden.id, "Members only, edited")
        await pin_status(a.ctx, "alice", hidden.id)
        await favourite(a.ctx, "dora", hidden.id)
        await boost(a.ctx, "dora", hidden.id)
        await delete_status(a.ctx, "alice", doomed.id)
        await settle(a, b)
        await unfavourite(a.ctx, "dora", hidden.id)
        await unboost(a.ctx, "dora", hidden.id)
        await settle(a, b)
        assert received_types(b, before) == []

        # The same steps on the normal post do travel, so the test above can fail.
        await edit_status(a.ctx, "alice", normal.id, "For everyone, edited")
        await boost(a.ctx, "dora", normal.id)
        await delete_status(a.ctx, "alice", normal.id)
        await settle(a, b)
        assert received_types(b, before) == ["Update", "Announce", "Delete"]
        for kept in (hidden, doomed):
            assert kept.uri not in everything_received(b)

        featured = await b.ctx.http.get(
            f"{a.base}/users/alice/collections/featured",
            AP,
            sign=signer_for(b.ctx, b.ctx.instance_actor),
        )
        outbox = await b.ctx.http.get(f"{a.base}/users/alice/outbox?page=true", AP)
        assert json.loads(featured.body)["orderedItems"] == []
        assert hidden.uri.encode() not in outbox.body
