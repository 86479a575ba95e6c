"""security.md V12: membership of a local group is granted here, by its local moderators, and
never by an activity from another server: a forged Accept{Follow}, Add or Remove changes nothing,
even when a remote moderator of the group signs it. A Follow Accept is honoured only from the
followed remote account."""

from __future__ import annotations

from fedi.accounts.members import get_member
from fedi.core.models import Account, Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows
from fedi.db import groups as group_rows
from fedi.groups.groups import create_group, may_read
from fedi.relationships.relationships import follow
from tests.testrig.fake_remote import RemoteActor
from tests.testrig.groups import account_of, activity, approve_join, follow_of, state_in
from tests.testrig.rig import BASE, Rig

SHARED_INBOX = f"{BASE}/inbox"


async def private_group_with_request(rig: Rig) -> tuple[Group, RemoteActor, Account]:
    """A private group with ana (a partner domain) asking to join."""
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: group_rows.add_partner_domain(conn, group.id, rig.other.domain, now)
    )
    ana = rig.other.actor("ana")
    await rig.post(ana, follow_of(ana, group.account.uri), url=SHARED_INBOX)
    await rig.process()
    requester = await account_of(rig.context, ana)
    assert await state_in(rig.context, group, requester) == "pending"
    return group, ana, requester


async def remote_moderator(rig: Rig, group: Group) -> RemoteActor:
    """A moderator of the group who lives on another server."""
    mod = rig.victim.actor("mod")
    account = await account_of(rig.context, mod)
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: group_rows.add_moderator(conn, group.id, account.id, "moderator", now)
    )
    return mod


async def assert_failed(rig: Rig, activity_id: str) -> None:
    stored = await rig.stored(activity_id)
    assert stored is not None and stored[0] == "failed", stored


async def test_v12_a_remote_moderators_accept_of_a_join_request_grants_nothing(rig: Rig) -> None:
    group, ana, requester = await private_group_with_request(rig)
    mod = await remote_moderator(rig, group)
    by_id = activity(mod, "Accept", follow_of(ana, group.account.uri)["id"], 1)
    embedded = activity(mod, "Accept", follow_of(ana, group.account.uri), 2)
    for forged in (by_id, embedded):
        await rig.post(mod, forged, url=SHARED_INBOX)
    await rig.process()
    for forged in (by_id, embedded):
        await assert_failed(rig, forged["id"])
    assert await state_in(rig.context, group, requester) == "pending"
    assert not await may_read(rig.context, group, requester)


async def test_v12_an_accept_by_the_requester_or_a_stranger_grants_nothing(rig: Rig) -> None:
    group, ana, requester = await private_group_with_request(rig)
    mallory = rig.evil.actor("mallory")
    own = activity(ana, "Accept", follow_of(ana, group.account.uri), 1)
    stranger = activity(mallory, "Accept", follow_of(ana, group.account.uri), 1)
    # The Accept claims to come from the group, but is signed by someone else: refused at once.
    claimed = activity(mallory, "Accept", follow_of(ana, group.account.uri), 2)
    claimed["actor"] = group.account.uri
    await rig.post(ana, own, url=SHARED_INBOX)
    await rig.post(mallory, stranger, url=SHARED_INBOX)
    response = await rig.post(mallory, claimed, url=SHARED_INBOX)
    assert response.status_code in (400, 401)
    await rig.process()
    await assert_failed(rig, own["id"])
    await assert_failed(rig, stranger["id"])
    assert await state_in(rig.context, group, requester) == "pending"


async def test_v12_add_to_the_groups_followers_or_moderators_grants_nothing(rig: Rig) -> None:
    group, ana, requester = await private_group_with_request(rig)
    mod = await remote_moderator(rig, group)
    mallory = rig.evil.actor("mallory")
    outsider = await account_of(rig.context, mallory)
    targets = [group.account.followers_uri, f"{group.account.uri}/moderators",
               f"{group.account.uri}/members"]  # fmt: skip
    forged = [
        activity(signer, "Add", who.uri, n, target=target)
        for n, target in enumerate(targets)
        for signer, who in ((mod, ana), (mallory, mallory), (ana, ana))
    ]
    for n, item in enumerate(forged):
        item["id"] += f"-{n}"
        signer = {mod.uri: mod, mallory.uri: mallory, ana.uri: ana}[item["actor"]]
        assert (await rig.post(signer, item, url=SHARED_INBOX)).status_code == 202
    await rig.process()
    assert await state_in(rig.context, group, requester) == "pending"
    assert await state_in(rig.context, group, outsider) is None
    async with rig.context.db.read() as conn:
        mods = [m.account.uri for m in await group_rows.moderators(conn, group.id)]
        assert await group_rows.member_count(conn, group.id) == 0
    assert mods == [f"{BASE}/users/alice", mod.uri]
    assert not await may_read(rig.context, group, outsider)


async def test_v12_remove_or_reject_from_another_server_ends_no_membership(rig: Rig) -> None:
    group, ana, requester = await private_group_with_request(rig)
    await approve_join(rig.context, group, requester)
    mod = await remote_moderator(rig, group)
    remove = activity(mod, "Remove", ana.uri, 1, target=group.account.followers_uri)
    reject = activity(mod, "Reject", follow_of(ana, group.account.uri), 1)
    for item in (remove, reject):
        await rig.post(mod, item, url=SHARED_INBOX)
    await rig.process()
    await assert_failed(rig, reject["id"])
    assert await state_in(rig.context, group, requester) == "accepted"


async def test_a_follow_accept_is_honoured_only_from_the_followed_remote_account(
    rig: Rig,
) -> None:
    alice = (await get_member(rig.context, "alice")).account
    bob = rig.victim.actor("bob", manuallyApprovesFollowers=True)
    bob_account = await account_of(rig.context, bob)
    assert await follow(rig.context, "alice", bob_account) == "pending"

    async def state() -> tuple[int, str | None, str] | None:
        async with rig.context.db.read() as conn:
            return await follows.get_follow(conn, alice.id, bob_account.id)

    asked = await state()
    assert asked is not None
    embedded = {"id": asked[1], "type": "Follow", "actor": alice.uri, "object": bob.uri}
    mallory = rig.evil.actor("mallory")
    forged = activity(mallory, "Accept", embedded, 1)
    await rig.post(mallory, forged, url=SHARED_INBOX)
    await rig.process()
    await assert_failed(rig, forged["id"])
    assert await state() == asked

    genuine = activity(bob, "Accept", embedded, 1)
    await rig.post(bob, genuine, url=SHARED_INBOX)
    await rig.process()
    assert await rig.stored(genuine["id"]) == ("done", None)
    assert await state() == (asked[0], asked[1], "accepted")
