"""FEP-8fcf, receiving side, against a scripted remote group: a delivery whose
Collection-Synchronization digest disagrees with our local follows of the sender makes the inbox
worker fetch the sender's partial followers list and end the local follows it does not list.
Only the sender's own followers collection, on its own host, is ever believed."""

from __future__ import annotations

import sqlite3
from typing import Any

from fedi.accounts.members import add_member, get_member
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows
from fedi.groups.groups import followers_digest
from tests.testrig.fake_remote import RemoteActor
from tests.testrig.groups import account_of
from tests.testrig.rig import BASE, Rig, create, note

SYNC_PATH = "/users/grp/followers_synchronization"


async def remote_group_with_local_followers(rig: Rig) -> tuple[RemoteActor, dict[str, Account]]:
    """A group on other.test followed by alice and bea (members) and cleo (a pending request)."""
    grp = rig.other.actor("grp", type="Group")
    group = await account_of(rig.context, grp)
    await add_member(rig.context, "bea", "password-bea")
    await add_member(rig.context, "cleo", "password-cleo")
    local = {
        name: (await get_member(rig.context, name)).account for name in ("alice", "bea", "cleo")
    }
    now = to_db(utcnow())

    def write(conn: sqlite3.Connection) -> None:
        for name, account in local.items():
            state = "pending" if name == "cleo" else "accepted"
            follows.upsert_follow(conn, follower_id=account.id, followed_id=group.id,
                                  uri=f"{account.uri}#follows/1", state=state, now=now)  # fmt: skip

    await rig.context.db.write(write)
    return grp, local


def sync_header(grp: RemoteActor, members: list[str], **values: str) -> str:
    fields = {
        "collectionId": f"{grp.uri}/followers",
        "url": f"{rig_base(grp)}{SYNC_PATH}",
        "digest": followers_digest(members),
    }
    fields.update(values)
    return ", ".join(f'{k}="{v}"' for k, v in fields.items())


def rig_base(actor: RemoteActor) -> str:
    return actor.uri.rsplit("/users/", 1)[0]


def group_post(grp: RemoteActor, n: int) -> dict[str, Any]:
    copy = note(grp, n, to=[f"{grp.uri}/followers"], cc=[], tag=[])
    return create(grp, copy, n)


async def deliver(rig: Rig, grp: RemoteActor, n: int, header: str) -> None:
    response = await rig.post(
        grp, group_post(grp, n), url=f"{BASE}/inbox", headers={"Collection-Synchronization": header}
    )
    assert response.status_code == 202
    await rig.process()


async def follow_states(rig: Rig, grp: RemoteActor, local: dict[str, Account]) -> dict[str, str]:
    group = await account_of(rig.context, grp)
    found = {}
    async with rig.context.db.read() as conn:
        for name, account in local.items():
            row = await follows.get_follow(conn, account.id, group.id)
            if row is not None:
                found[name] = row[2]
    return found


def sync_fetches(rig: Rig) -> list[str]:
    return [path for path in rig.other.requests if path == SYNC_PATH]


async def test_a_stale_local_follow_is_ended_when_the_sender_no_longer_lists_it(
    rig: Rig,
) -> None:
    grp, local = await remote_group_with_local_followers(rig)
    alice = local["alice"].uri
    rig.other.put(SYNC_PATH, {"id": f"{rig.other.base}{SYNC_PATH}",
                              "type": "OrderedCollection", "orderedItems": [alice]})  # fmt: skip
    await deliver(rig, grp, 1, sync_header(grp, [alice]))
    assert await rig.stored(group_post(grp, 1)["id"]) is not None
    # bea was removed on the group's server and we missed the Reject; cleo's request waits on.
    assert await follow_states(rig, grp, local) == {"alice": "accepted", "cleo": "pending"}
    assert sync_fetches(rig) == [SYNC_PATH]


async def test_an_agreeing_digest_fetches_nothing(rig: Rig) -> None:
    grp, local = await remote_group_with_local_followers(rig)
    both = [local["alice"].uri, local["bea"].uri]
    await deliver(rig, grp, 1, sync_header(grp, list(reversed(both))))
    assert sync_fetches(rig) == []
    assert await follow_states(rig, grp, local) == {
        "alice": "accepted", "bea": "accepted", "cleo": "pending",
    }  # fmt: skip


async def test_a_paged_collection_is_followed_on_the_senders_host(rig: Rig) -> None:
    grp, local = await remote_group_with_local_followers(rig)
    url = f"{rig.other.base}{SYNC_PATH}"
    rig.other.put(SYNC_PATH, {"id": url, "type": "OrderedCollection", "first": f"{url}/1"})
    rig.other.put(f"{SYNC_PATH}/1", {"id": f"{url}/1", "type": "OrderedCollectionPage",
                                     "orderedItems": [], "next": f"{url}/2"})  # fmt: skip
    rig.other.put(f"{SYNC_PATH}/2", {"id": f"{url}/2", "type": "OrderedCollectionPage",
                                     "orderedItems": [{"id": local["bea"].uri}]})  # fmt: skip
    await deliver(rig, grp, 1, sync_header(grp, [local["bea"].uri]))
    assert await follow_states(rig, grp, local) == {"bea": "accepted", "cleo": "pending"}


async def test_headers_about_someone_else_or_elsewhere_are_ignored(rig: Rig) -> None:
    grp, local = await remote_group_with_local_followers(rig)
    empty = {"type": "OrderedCollection", "orderedItems": []}
    rig.other.put(SYNC_PATH, {"id": f"{rig.other.base}{SYNC_PATH}", **empty})
    rig.evil.put(SYNC_PATH, {"id": f"{rig.evil.base}{SYNC_PATH}", **empty})
    other_actor = rig.other.actor("someone")
    everything = {"alice": "accepted", "bea": "accepted", "cleo": "pending"}
    headers = [
        sync_header(grp, [], collectionId=f"{other_actor.uri}/followers"),
        sync_header(grp, [], url=f"{rig.evil.base}{SYNC_PATH}"),
        sync_header(grp, [], digest="not-a-digest"),
        "collectionId=nonsense",
    ]
    for n, header in enumerate(headers, 1):
        await deliver(rig, grp, n, header)
    assert await follow_states(rig, grp, local) == everything
    assert sync_fetches(rig) == [] and rig.evil.requests == []

    # Another actor cannot speak about the group's followers, even on the same server.
    await deliver(rig, other_actor, 9, sync_header(grp, []))
    assert await follow_states(rig, grp, local) == everything
    assert sync_fetches(rig) == []


async def test_a_list_served_from_another_host_is_not_believed(rig: Rig) -> None:
    grp, local = await remote_group_with_local_followers(rig)
    rig.other.redirect(SYNC_PATH, f"{rig.evil.base}{SYNC_PATH}")
    rig.evil.put(SYNC_PATH, {"id": f"{rig.evil.base}{SYNC_PATH}",
                             "type": "OrderedCollection", "orderedItems": []})  # fmt: skip
    await deliver(rig, grp, 1, sync_header(grp, []))
    assert await follow_states(rig, grp, local) == {
        "alice": "accepted", "bea": "accepted", "cleo": "pending",
    }  # fmt: skip
