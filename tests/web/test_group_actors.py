"""Group actors: created for an owner, found by WebFinger like any account, served as FEP-1b12
Group documents; a local-only group does not exist for other servers."""

from __future__ import annotations

import httpx
import pytest

from fedi.accounts.members import MemberError, TakenError, add_member
from fedi.context import Context
from fedi.db import groups as group_rows
from fedi.groups.groups import GroupError, create_group, followers_digest

AP = {"Accept": "application/activity+json"}


@pytest.fixture
async def owner(context: Context) -> None:
    await add_member(context, "olga", "password-olga")


async def test_public_group_is_a_group_actor_found_by_webfinger(
    context: Context, client: httpx.AsyncClient, owner: None
) -> None:
    group = await create_group(context, "climate", "olga", display_name="Climate litigation")
    assert not group.is_private and group.account.actor_type == "Group"
    finger = await client.get("/.well-known/webfinger?resource=acct:climate@fedi.test")
    assert finger.status_code == 200
    self_links = [link for link in finger.json()["links"] if link["rel"] == "self"]
    assert self_links[0]["href"] == group.account.uri
    document = (await client.get("/users/climate", headers=AP)).json()
    assert document["type"] == "Group"
    assert document["name"] == "Climate litigation"
    assert document["attributedTo"] == f"{group.account.uri}/moderators"
    assert document["manuallyApprovesFollowers"] is False
    assert document["nb:visibility"] == "public"
    assert document["publicKey"]["owner"] == group.account.uri
    assert "following" not in document
    async with context.db.read() as conn:
        mods = await group_rows.moderators(conn, group.id)
    assert [(m.account.username, m.role) for m in mods] == [("olga", "owner")]


async def test_private_group_approves_members_and_starts_with_partner_domains(
    tmp_path: object, owner: None, context: Context, client: httpx.AsyncClient
) -> None:
    group = await create_group(context, "casework", "olga", is_private=True)
    assert group.is_private and group.partners_only and group.account.is_locked
    document = (await client.get("/users/casework", headers=AP)).json()
    assert document["manuallyApprovesFollowers"] is True
    assert document["nb:visibility"] == "private"


async def test_local_only_group_is_invisible_to_other_servers(
    context: Context, client: httpx.AsyncClient, owner: None
) -> None:
    await create_group(context, "shelter", "olga", is_private=True, is_local_only=True)
    missing_finger = await client.get("/.well-known/webfinger?resource=acct:nobody@fedi.test")
    finger = await client.get("/.well-known/webfinger?resource=acct:shelter@fedi.test")
    assert finger.status_code == missing_finger.status_code == 404
    assert finger.content == missing_finger.content.replace(b"nobody", b"shelter")
    for path in ("/users/shelter", "/users/shelter/outbox", "/users/shelter/followers"):
        response = await client.get(path, headers=AP)
        missing = await client.get(path.replace("shelter", "nobody"), headers=AP)
        assert response.status_code == missing.status_code == 404
        assert response.content == missing.content
    inbox = await client.post("/users/shelter/inbox", json={}, headers=AP)
    assert inbox.status_code == 404


async def test_group_names_share_the_member_namespace(context: Context, owner: None) -> None:
    with pytest.raises(TakenError):
        await create_group(context, "olga", "olga")
    await create_group(context, "forum", "olga")
    with pytest.raises(TakenError):
        await add_member(context, "Forum", "password-forum")
    with pytest.raises(MemberError):
        await create_group(context, "bad name", "olga")
    with pytest.raises(GroupError):
        await create_group(context, "openlocal", "olga", is_local_only=True)
    with pytest.raises(MemberError):
        await create_group(context, "orphan", "nobody")


def test_followers_digest_follows_fep_8fcf() -> None:
    # XOR of SHA-256 digests: order does not matter, a pair cancels out, none is all zeros.
    a, b = "https://b.example/users/ana", "https://b.example/users/ben"
    assert followers_digest([]) == "0" * 64
    assert followers_digest([a, b]) == followers_digest([b, a])
    assert followers_digest([a, b, b]) == followers_digest([a])
    assert len(followers_digest([a])) == 64
