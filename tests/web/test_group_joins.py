"""Joining a local group: Follows from scripted remote servers and local members' follows, by the
rules of fedi.groups.membership (public → member at once, private → join request, banned,
partners-only and local-only → refused), approving a request, and leaving with Undo{Follow}."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fedi.accounts.members import MemberError, add_member
from fedi.core.models import Account, Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows
from fedi.db import groups as group_rows
from fedi.groups.groups import GroupError, create_group, may_read
from fedi.relationships.relationships import follow, unfollow
from tests.testrig.groups import (
    account_of,
    activity,
    approve_join,
    follow_of,
    log_actions,
    queued,
    state_in,
)
from tests.testrig.rig import BASE, Rig

SHARED_INBOX = f"{BASE}/inbox"
MASTODON_PAYLOADS = Path(__file__).resolve().parents[1] / "testrig" / "payloads" / "mastodon"


async def add_partner(rig: Rig, group: Group, domain: str) -> None:
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: group_rows.add_partner_domain(conn, group.id, domain, now)
    )


async def ban(rig: Rig, group: Group, account_id: int) -> None:
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: group_rows.ban(conn, group.id, account_id, "spam", None, now)
    )


async def test_a_public_group_accepts_a_follow_at_once(rig: Rig) -> None:
    group = await create_group(rig.context, "climate", "alice")
    ana = rig.other.actor("ana")
    request = follow_of(ana, group.account.uri)
    assert (await rig.post(ana, request, url=f"{group.account.uri}/inbox")).status_code == 202
    await rig.process()
    member = await account_of(rig.context, ana)
    assert await state_in(rig.context, group, member) == "accepted"
    [accept] = await queued(rig.context)
    assert accept["type"] == "Accept" and accept["actor"] == group.account.uri
    assert accept["object"]["id"] == request["id"] and accept["to"] == [ana.uri]
    assert await log_actions(rig.context, group) == [("join", rig.other.domain)]
    async with rig.context.db.read() as conn:
        assert await follows.follower_inboxes(conn, group.id) == [f"{rig.other.base}/inbox"]


async def test_a_private_group_keeps_a_request_waiting_until_a_moderator_approves(
    rig: Rig,
) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    await add_partner(rig, group, rig.other.domain)
    ana = rig.other.actor("ana")
    request = follow_of(ana, group.account.uri)
    await rig.post(ana, request, url=SHARED_INBOX)
    await rig.process()
    member = await account_of(rig.context, ana)
    assert await state_in(rig.context, group, member) == "pending"
    assert await queued(rig.context) == []  # no answer while the request waits
    assert not await may_read(rig.context, group, member)

    owner = await owner_of(rig, group)
    await approve_join(rig.context, group, member, moderator=owner)
    assert await state_in(rig.context, group, member) == "accepted"
    assert await may_read(rig.context, group, member)
    [accept] = await queued(rig.context)
    assert accept["type"] == "Accept" and accept["object"]["id"] == request["id"]
    assert accept["object"]["actor"] == ana.uri
    async with rig.context.db.read() as conn:
        entries = await group_rows.log_entries(conn, group.id)
    assert [(e.action, e.actor_id) for e in entries[:2]] == [
        ("approve_new_domain", owner.id), ("join_request", member.id),
    ]  # fmt: skip
    with pytest.raises(GroupError, match="no pending join request"):
        await approve_join(rig.context, group, member)


async def owner_of(rig: Rig, group: Group) -> Account:
    async with rig.context.db.read() as conn:
        mods = await group_rows.moderators(conn, group.id)
    return next(m.account for m in mods if m.role == "owner")


async def test_a_member_repeating_their_follow_stays_a_member(rig: Rig) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    await add_partner(rig, group, rig.other.domain)
    ana = rig.other.actor("ana")
    await rig.post(ana, follow_of(ana, group.account.uri, 1), url=SHARED_INBOX)
    await rig.process()
    member = await account_of(rig.context, ana)
    await approve_join(rig.context, group, member)
    await rig.post(ana, follow_of(ana, group.account.uri, 2), url=SHARED_INBOX)
    await rig.process()
    assert await state_in(rig.context, group, member) == "accepted"
    accepts = [a for a in await queued(rig.context) if a["type"] == "Accept"]
    assert [a["object"]["id"] for a in accepts][-1] == follow_of(ana, "", 2)["id"]
    assert [a for a, _ in await log_actions(rig.context, group)] == [
        "join_request",
        "approve_new_domain",
    ]


async def test_a_banned_account_is_refused_and_loses_its_follow(rig: Rig) -> None:
    group = await create_group(rig.context, "climate", "alice")
    ana = rig.other.actor("ana")
    await rig.post(ana, follow_of(ana, group.account.uri, 1), url=SHARED_INBOX)
    await rig.process()
    member = await account_of(rig.context, ana)
    await ban(rig, group, member.id)
    request = follow_of(ana, group.account.uri, 2)
    await rig.post(ana, request, url=SHARED_INBOX)
    await rig.process()
    assert await state_in(rig.context, group, member) is None
    reject = (await queued(rig.context))[-1]
    assert reject["type"] == "Reject" and reject["object"]["id"] == request["id"]
    assert (await log_actions(rig.context, group))[-1] == ("refused_banned", rig.other.domain)


async def test_a_partners_only_group_refuses_other_domains_and_logs_the_domain(
    rig: Rig,
) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    await add_partner(rig, group, rig.other.domain)
    mallory = rig.evil.actor("mallory")
    request = follow_of(mallory, group.account.uri)
    await rig.post(mallory, request, url=f"{group.account.uri}/inbox")
    await rig.process()
    stranger = await account_of(rig.context, mallory)
    assert await state_in(rig.context, group, stranger) is None
    [reject] = await queued(rig.context)
    assert reject["type"] == "Reject" and reject["object"]["id"] == request["id"]
    assert reject["to"] == [mallory.uri]
    assert await log_actions(rig.context, group) == [("refused_domain", rig.evil.domain)]


async def test_a_local_only_group_answers_a_remote_follow_as_a_missing_account_would(
    rig: Rig,
) -> None:
    group = await create_group(rig.context, "shelter", "alice", is_private=True,
                               is_local_only=True)  # fmt: skip
    await add_partner(rig, group, rig.other.domain)
    ana = rig.other.actor("ana")
    to_group = follow_of(ana, group.account.uri, 1)
    to_nobody = follow_of(ana, f"{BASE}/users/nobody", 2)
    personal = await rig.post(ana, to_group, url=f"{group.account.uri}/inbox")
    assert personal.status_code == 404
    for request in (to_group, to_nobody):
        assert (await rig.post(ana, request, url=SHARED_INBOX)).status_code == 202
    await rig.process()
    group_state, nobody_state = await rig.stored(to_group["id"]), await rig.stored(to_nobody["id"])
    assert group_state == nobody_state == ("failed", "the follow is not for an account here")
    assert await queued(rig.context) == []  # no Reject: nothing about the group is sent
    assert await state_in(rig.context, group, await account_of(rig.context, ana)) is None
    assert await log_actions(rig.context, group) == [("refused_local_only", rig.other.domain)]


async def test_local_members_join_by_the_same_rules(rig: Rig) -> None:
    public = await create_group(rig.context, "climate", "alice")
    private = await create_group(rig.context, "casework", "alice", is_private=True)
    local_only = await create_group(rig.context, "shelter", "alice", is_private=True,
                                    is_local_only=True)  # fmt: skip
    bea = (await add_member(rig.context, "bea", "password-bea")).account
    assert await follow(rig.context, "bea", "@climate@fedi.test") == "accepted"
    assert await follow(rig.context, "bea", "@casework@fedi.test") == "pending"
    assert await follow(rig.context, "bea", "@shelter@fedi.test") == "pending"
    assert await queued(rig.context) == []  # nothing federates for local joins
    assert await log_actions(rig.context, public) == [("join", None)]
    assert await log_actions(rig.context, private) == [("join_request", None)]
    assert await log_actions(rig.context, local_only) == [("join_request", None)]
    # A pending request asked again is still one request.
    assert await follow(rig.context, "bea", "@casework@fedi.test") == "pending"
    assert await log_actions(rig.context, private) == [("join_request", None)]
    await approve_join(rig.context, local_only, bea)
    assert await may_read(rig.context, local_only, bea)

    await unfollow(rig.context, "bea", "@climate@fedi.test")
    await ban(rig, public, bea.id)
    with pytest.raises(MemberError, match="does not accept you as a member"):
        await follow(rig.context, "bea", "@climate@fedi.test")
    assert await state_in(rig.context, public, bea) is None


async def test_a_banned_request_cannot_be_approved(rig: Rig) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    bea = (await add_member(rig.context, "bea", "password-bea")).account
    await follow(rig.context, "bea", "@casework@fedi.test")
    await ban(rig, group, bea.id)
    with pytest.raises(GroupError, match="banned"):
        await approve_join(rig.context, group, bea)
    assert await state_in(rig.context, group, bea) == "pending"


async def test_undo_follow_ends_a_membership_at_once(rig: Rig) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    await add_partner(rig, group, rig.other.domain)
    ana = rig.other.actor("ana")
    request = follow_of(ana, group.account.uri)
    await rig.post(ana, request, url=SHARED_INBOX)
    await rig.process()
    member = await account_of(rig.context, ana)
    await approve_join(rig.context, group, member)
    async with rig.context.db.read() as conn:
        assert await follows.follower_inboxes(conn, group.id) == [f"{rig.other.base}/inbox"]
    # Someone else cannot end ana's membership for her.
    mallory = rig.evil.actor("mallory")
    forged = activity(mallory, "Undo", request)
    await rig.post(mallory, forged, url=SHARED_INBOX)
    await rig.process()
    assert await state_in(rig.context, group, member) == "accepted"

    await rig.post(ana, activity(ana, "Undo", request), url=SHARED_INBOX)
    await rig.process()
    assert await state_in(rig.context, group, member) is None
    assert not await may_read(rig.context, group, member)
    async with rig.context.db.read() as conn:
        # The next delivery's audience is worked out from this: ana's server is not in it.
        assert await follows.follower_inboxes(conn, group.id) == []
        assert await group_rows.member_uris_on_host(conn, group.id, rig.other.domain) == []


async def test_a_ban_excludes_a_member_whose_follow_row_remains(rig: Rig) -> None:
    group = await create_group(rig.context, "climate", "alice")
    ana = rig.other.actor("ana")
    await rig.post(ana, follow_of(ana, group.account.uri), url=SHARED_INBOX)
    await rig.process()
    member = await account_of(rig.context, ana)
    await ban(rig, group, member.id)
    async with rig.context.db.read() as conn:
        page = await follows.actor_uris_page(conn, group.id, "followers", None, 20)
    assert page == []


async def test_mastodons_follow_and_unfollow_join_and_leave_a_group(rig: Rig) -> None:
    """The captured Mastodon Follow and Undo{Follow} (a UUID id, no addressing), aimed at a
    group: a Mastodon user joins a public group with the ordinary follow button."""
    group = await create_group(rig.context, "climate", "alice")

    def load(name: str) -> dict[str, Any]:
        text = (MASTODON_PAYLOADS / name).read_text()
        text = text.replace("https://fedi.test/users/alice", group.account.uri)
        loaded: dict[str, Any] = json.loads(text.replace("https://mastodon.example", rig.evil.base))
        return loaded

    request, leave = load("follow.json"), load("undo_follow.json")
    alice = rig.evil.actor("alice")
    await rig.post(alice, request, url=f"{group.account.uri}/inbox")
    await rig.process()
    member = await account_of(rig.context, alice)
    assert await state_in(rig.context, group, member) == "accepted"
    [accept] = await queued(rig.context)
    assert accept["object"]["id"] == request["id"]
    await rig.post(alice, leave, url=f"{group.account.uri}/inbox")
    await rig.process()
    assert await state_in(rig.context, group, member) is None
