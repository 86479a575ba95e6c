"""FEP-8fcf between two of our instances: a member on B was removed from A's private group but
B missed the Reject; the group's next delivery to B carries a Collection-Synchronization header,
and B, seeing the digest differ, fetches A's partial followers list and drops the stale follow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fedi.accounts.members import add_member
from fedi.core.models import Account, Group
from fedi.db import accounts, follows
from fedi.db import groups as group_rows
from fedi.federation.signing import signer_for
from fedi.groups.groups import create_group, followers_digest, synchronization_header
from fedi.relationships.relationships import follow
from tests.testrig.groups import approve_join
from tests.testrig.instances import Instance, federation, settle

CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


async def on(instance: Instance, uri: str) -> Account:
    async with instance.ctx.db.read() as conn:
        found = await accounts.get_by_uri(conn, uri)
    assert found is not None
    return found


async def local_followers(instance: Instance, followed_uri: str) -> list[str]:
    followed = await on(instance, followed_uri)
    async with instance.ctx.db.read() as conn:
        return sorted(uri for _, uri in await follows.local_follower_uris(conn, followed.id))


async def deliver_group_post(a: Instance, b: Instance, group: Group, n: int) -> None:
    """What the group's delivery of a members-only post to B's shared inbox looks like: signed
    by the group, with the FEP-8fcf header for B's host."""
    uri = group.account.uri
    note = {
        "id": f"{uri}/statuses/sync-{n}",
        "type": "Note",
        "attributedTo": uri,
        "content": "<p>For members</p>",
        "to": [group.account.followers_uri],
        "cc": [],
        "published": "2026-01-01T00:00:00Z",
    }
    activity: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note['id']}/activity",
        "type": "Create",
        "actor": uri,
        "to": note["to"],
        "cc": [],
        "object": note,
    }
    header = await synchronization_header(a.ctx, group, b.domain)
    response = await a.ctx.http.post(
        f"{b.base}/inbox",
        json.dumps(activity).encode(),
        {"Content-Type": CONTENT_TYPE, "Collection-Synchronization": header},
        sign=signer_for(a.ctx, group.account),
    )
    assert response.status == 202


async def test_a_missed_removal_is_repaired_by_the_next_delivery(tmp_path: Path) -> None:
    async with federation(tmp_path, "a", "b") as (a, b):
        await add_member(a.ctx, "olga", "password-olga")
        group = await create_group(a.ctx, "casework", "olga", is_private=True)
        await a.ctx.db.write(
            lambda conn: group_rows.add_partner_domain(conn, group.id, b.domain, "2026-01-01")
        )
        members = [(await add_member(b.ctx, name, f"password-{name}")).account
                   for name in ("bob", "bea")]  # fmt: skip
        for member in members:
            await follow(b.ctx, member.username, a.handle("casework"))
        await settle(a, b)
        for member in members:
            await approve_join(a.ctx, group, await on(a, member.uri))
        await settle(a, b)
        bob, bea = members
        assert await local_followers(b, group.account.uri) == sorted([bob.uri, bea.uri])

        # A moderator removes bob; the Reject never reaches B (it is simply not sent here).
        bob_on_a = await on(a, bob.uri)
        await a.ctx.db.write(lambda conn: follows.delete_follow(conn, bob_on_a.id, group.id))
        header = await synchronization_header(a.ctx, group, b.domain)
        assert f'digest="{followers_digest([bea.uri])}"' in header

        await deliver_group_post(a, b, group, 1)
        await settle(a, b)
        assert await local_followers(b, group.account.uri) == [bea.uri]

        # The next delivery agrees with B now: nothing else changes.
        await deliver_group_post(a, b, group, 2)
        await settle(a, b)
        assert await local_followers(b, group.account.uri) == [bea.uri]
