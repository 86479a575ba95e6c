"""A group's collections over HTTP. A private group's outbox, followers, following, featured,
moderators and blocked collections answer only a signed GET by one of its readers (members,
moderators, the instance actor of a member's server); everyone else gets a 404 identical to the
one for an actor that does not exist (security.md V1, V2, V8). FEP-8fcf partial followers."""

from __future__ import annotations

import httpx
import pytest

from fedi.core.models import Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows
from fedi.db import groups as group_rows
from fedi.groups.groups import create_group
from tests.testrig.fake_remote import RemoteActor
from tests.testrig.groups import account_of, approve_join, follow_of
from tests.testrig.rig import BASE, Rig

AP = {"Accept": "application/activity+json"}
HTML = {"Accept": "text/html", "Accept-Language": "de"}
AP_DE = {**AP, "Accept-Language": "de"}
PRIVATE_PATHS = [
    "outbox", "outbox?page=true", "followers", "followers?page=true", "following",
    "following?page=true", "collections/featured", "moderators", "blocked",
]  # fmt: skip


async def get(
    rig: Rig, path: str, signer: RemoteActor | None, headers: dict[str, str]
) -> httpx.Response:
    url = f"{BASE}{path}"
    sent = dict(headers)
    if signer is not None:
        sent = signer.sign("GET", url, None, headers=sent)
    return await rig.client.get(url, headers=sent)


async def join(rig: Rig, group: Group, actor: RemoteActor, n: int = 1) -> None:
    """The actor asks to join (by a signed Follow) and is approved."""
    await rig.post(actor, follow_of(actor, group.account.uri, n), url=f"{BASE}/inbox")
    await rig.process()
    await approve_join(rig.context, group, await account_of(rig.context, actor))


async def partner(rig: Rig, group: Group, domain: str) -> None:
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: group_rows.add_partner_domain(conn, group.id, domain, now)
    )


async def missing_like(
    rig: Rig, path: str, headers: dict[str, str], signer: RemoteActor | None = None
) -> httpx.Response:
    """The answer, to the same signer, for the same collection of an actor that does not exist,
    whose name has the length of the path's (an HTML error page links to its own address in
    other languages)."""
    name = path.split("/")[2]
    return await get(rig, path.replace(f"/{name}", "/" + "x" * len(name), 1), signer, headers)


def assert_same(response: httpx.Response, missing: httpx.Response) -> None:
    assert response.status_code == missing.status_code == 404
    name = response.url.path.split("/")[2].encode()
    assert response.content == missing.content.replace(b"x" * len(name), name)
    assert response.headers == missing.headers


async def test_private_collections_answer_readers_only_and_the_same_404_to_everyone_else(
    rig: Rig,
) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    await partner(rig, group, rig.other.domain)
    ana, ben = rig.other.actor("ana"), rig.other.actor("ben")
    gone = rig.other.actor("gone")
    instance = rig.other.actor("instance", path="/actor", type="Application")
    mallory = rig.evil.actor("mallory")
    await join(rig, group, ana, 1)
    await join(rig, group, gone, 2)
    # gone was a member a moment ago: removed now, its next fetch is refused straight away.
    for path in ("followers?page=true", "moderators"):
        assert (await get(rig, f"/users/casework/{path}", gone, AP)).status_code == 200
    removed = await account_of(rig.context, gone)
    await rig.context.db.write(lambda conn: follows.delete_follow(conn, removed.id, group.id))

    for path in PRIVATE_PATHS:
        for headers in (AP, AP_DE, HTML):
            for signer in (None, mallory, ben, gone):
                missing = await missing_like(rig, f"/users/casework/{path}", headers, signer)
                response = await get(rig, f"/users/casework/{path}", signer, headers)
                assert_same(response, missing)
        for signer in (ana, instance):
            response = await get(rig, f"/users/casework/{path}", signer, AP)
            assert response.status_code == 200, (path, signer.uri)
            assert response.headers["content-type"].startswith("application/activity+json")

    members = (await get(rig, "/users/casework/followers?page=true", ana, AP)).json()
    assert members["orderedItems"] == [ana.uri]
    moderators = (await get(rig, "/users/casework/moderators", instance, AP)).json()
    assert moderators["type"] == "OrderedCollection"
    assert moderators["id"] == f"{group.account.uri}/moderators"
    assert moderators["orderedItems"] == [f"{BASE}/users/alice"]
    # The group itself stays public, so that anyone can find it and ask to join.
    document = await get(rig, "/users/casework", None, AP)
    assert document.status_code == 200 and document.json()["type"] == "Group"


async def test_a_private_groups_ban_list_is_for_its_readers(rig: Rig) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    await partner(rig, group, rig.other.domain)
    ana = rig.other.actor("ana")
    await join(rig, group, ana)
    mallory = await account_of(rig.context, rig.evil.actor("mallory"))
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: group_rows.ban(conn, group.id, mallory.id, "spam", None, now)
    )
    blocked = (await get(rig, "/users/casework/blocked", ana, AP)).json()
    assert blocked["id"] == f"{group.account.uri}/blocked"
    assert "https://purl.archive.org/socialweb/blocked" in blocked["@context"]
    assert blocked["orderedItems"] == [mallory.uri] and blocked["totalItems"] == 1
    assert "spam" not in str(blocked)


async def test_a_public_group_shows_members_and_moderators_and_its_ban_list_to_moderators(
    rig: Rig,
) -> None:
    group = await create_group(rig.context, "climate", "alice")
    ana = rig.other.actor("ana")
    await rig.post(ana, follow_of(ana, group.account.uri), url=f"{BASE}/inbox")
    await rig.process()
    followers = await get(rig, "/users/climate/followers", None, AP)
    assert followers.json()["totalItems"] == 1
    page = await get(rig, "/users/climate/followers?page=true", None, AP)
    assert page.json()["orderedItems"] == [ana.uri]
    moderators = await get(rig, "/users/climate/moderators", None, AP)
    assert moderators.json()["orderedItems"] == [f"{BASE}/users/alice"]
    for path in ("outbox", "collections/featured"):
        assert (await get(rig, f"/users/climate/{path}", None, AP)).status_code == 200

    mod = rig.victim.actor("mod")
    mod_account = await account_of(rig.context, mod)
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: group_rows.add_moderator(conn, group.id, mod_account.id, "moderator", now)
    )
    for signer in (None, ana):
        missing = await missing_like(rig, "/users/climate/blocked", AP, signer)
        assert_same(await get(rig, "/users/climate/blocked", signer, AP), missing)
    blocked = await get(rig, "/users/climate/blocked", mod, AP)
    assert blocked.status_code == 200 and blocked.json()["orderedItems"] == []


async def test_fep_8fcf_partial_followers_list_only_the_signers_host(rig: Rig) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    for remote in (rig.other, rig.victim):
        await partner(rig, group, remote.domain)
    ana, ben = rig.other.actor("ana"), rig.other.actor("ben")
    vic = rig.victim.actor("vic")
    for n, actor in enumerate((ana, ben, vic)):
        await join(rig, group, actor, n)
    instance = rig.other.actor("instance", path="/actor", type="Application")
    path = "/users/casework/followers_synchronization"
    for signer in (ana, instance):
        listed = (await get(rig, path, signer, AP)).json()
        assert listed["id"] == f"{group.account.uri}/followers_synchronization"
        assert listed["type"] == "OrderedCollection"
        assert sorted(listed["orderedItems"]) == sorted([ana.uri, ben.uri])
    assert (await get(rig, path, vic, AP)).json()["orderedItems"] == [vic.uri]
    # A server without members learns just that: nothing of other servers' members.
    assert (await get(rig, path, rig.evil.actor("mallory"), AP)).json()["orderedItems"] == []
    assert_same(await get(rig, path, None, AP), await missing_like(rig, path, AP))
    person = "/users/alice/followers_synchronization"
    assert_same(await get(rig, person, ana, AP), await missing_like(rig, person, AP, ana))


@pytest.mark.parametrize("path", ["moderators", "blocked", "followers_synchronization"])
async def test_a_local_only_groups_collections_do_not_exist(rig: Rig, path: str) -> None:
    await create_group(rig.context, "shelter", "alice", is_private=True, is_local_only=True)
    ana = rig.other.actor("ana")
    missing = await missing_like(rig, f"/users/shelter/{path}", AP, ana)
    assert_same(await get(rig, f"/users/shelter/{path}", ana, AP), missing)
