"""Captured Mobilizon payloads (tests/testrig/payloads/mobilizon) replayed against our inbox: a
Mobilizon event is stored as an event (sanitised, in its own zone), never as a plain post; a
Mobilizon person's Join is accepted at once with the meeting link sent to them alone, their
Leave gives the place to the waiting list; a Join to a members-only space's event from a
stranger gets nothing; an Accept counts only from the event's organisers."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from fedi.accounts.members import add_member
from fedi.core.timeutil import utcnow
from fedi.db import accounts, event_registrations, statuses
from fedi.db import events as event_rows
from fedi.events.events import create_event
from fedi.events.registrations import register
from fedi.events.validation import EventDraft
from fedi.federation.remote_accounts import get_actor
from fedi.groups.groups import create_group
from tests.testrig.fake_remote import FakeRemote, RemoteActor
from tests.testrig.groups import accept_follow, local_account
from tests.testrig.rig import Rig

PAYLOADS = Path(__file__).resolve().parents[1] / "testrig" / "payloads" / "mobilizon"
LINK = "https://meet.example.org/room-9"


def load(name: str, remote: FakeRemote, **replace: str) -> dict[str, Any]:
    text = (PAYLOADS / name).read_text()
    for old, new in [*replace.items(), ("https://mobilizon.example", remote.base)]:
        text = text.replace(old, new)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def draft(**fields: Any) -> EventDraft:
    start = utcnow() + timedelta(days=5)
    values: dict[str, Any] = {
        "title": "Webinar", "description": "", "starts_at": start,
        "ends_at": start + timedelta(hours=1), "time_zone": "Africa/Tunis", "online_url": LINK,
        "language": None, "capacity": None, "join_mode": "open",
    }  # fmt: skip
    values.update(fields)
    return EventDraft(**values)


async def followed(rig: Rig, *actors: RemoteActor) -> None:
    alice = await local_account(rig.context, "alice")
    for actor in actors:
        async with rig.context.db.read() as conn:
            known = await accounts.get_by_uri(conn, actor.uri)
        if known is None:
            known = await get_actor(rig.context, actor.uri)
        await accept_follow(rig.context, alice, known)


async def test_a_mobilizon_event_is_stored_as_an_event(rig: Rig) -> None:
    remote = rig.other
    alicia = remote.actor("Alicia", path="/@Alicia")
    await followed(rig, alicia)
    create = load("create_event.json", remote)
    assert (await rig.post(alicia, create)).status_code == 202
    await rig.process()
    async with rig.context.db.read() as conn:
        event = await event_rows.get_by_uri(conn, create["object"]["id"])
        post = await statuses.get_by_uri(conn, create["object"]["id"])
    assert post is None
    assert event is not None and not event.is_local and event.is_public
    assert event.title == "My first event" and event.time_zone == "UTC"
    assert event.starts_at == event.ends_at  # no endTime: it ends when it starts
    assert event.join_mode == "open"  # Mobilizon's default on input is free


async def test_a_mobilizon_group_webinar_keeps_its_zone_capacity_and_mode(rig: Rig) -> None:
    remote = rig.other
    group = remote.actor("rights_network", path="/@rights_network", type="Group")
    amal = remote.actor("amal", path="/@amal")
    await followed(rig, group)
    create = load("create_group_event.json", remote)
    assert (await rig.post(group, create)).status_code == 202
    await rig.process()
    async with rig.context.db.read() as conn:
        event = await event_rows.get_by_uri(conn, create["object"]["id"])
        organiser = await accounts.get_by_uri(conn, amal.uri)
    assert event is not None and organiser is not None
    assert event.organiser_id == organiser.id and event.group_id is not None
    assert event.join_mode == "approval" and event.capacity == 300
    assert event.remote_remaining_capacity == 287 and event.remote_participant_count == 13
    assert event.time_zone == "Africa/Tunis" and event.starts_at.hour == 14  # 15:00 +01:00
    assert "<script" not in event.description and "onerror" not in event.description
    assert event.online_url is None  # a public attachment is not a meeting link for us
    # An Update by someone who is not its organiser changes nothing.
    other = remote.actor("mallory", path="/@mallory")
    forged = {**create, "id": f"{remote.base}/forged/1", "type": "Update", "actor": other.uri}
    forged["object"] = {**create["object"], "name": "Cancelled, go elsewhere"}
    await rig.post(other, forged)
    await rig.process()
    async with rig.context.db.read() as conn:
        again = await event_rows.get_by_uri(conn, create["object"]["id"])
    assert again is not None and again.title == event.title


async def outgoing(rig: Rig) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    async with rig.context.db.read() as conn:
        cursor = await conn.execute("SELECT body, audience FROM outbox_activities ORDER BY id")
        return [(json.loads(r[0]), json.loads(r[1])) for r in await cursor.fetchall()]


async def test_a_mobilizon_join_is_accepted_and_its_leave_promotes_the_waiting_list(
    rig: Rig,
) -> None:
    context, remote = rig.context, rig.other
    admin = remote.actor("admin", path="/@admin")
    alice = await local_account(context, "alice")
    event = await create_event(context, alice, draft(capacity=1))
    join = load("join.json", remote, **{"https://fedi.test/events/1": event.uri})
    assert (await rig.post(admin, join)).status_code == 202
    await rig.process()
    sent = [(a, audience) for a, audience in await outgoing(rig) if a["type"] == "Accept"]
    assert len(sent) == 1
    accept, audience = sent[0]
    assert accept["object"]["id"] == join["id"] and accept["meetingUrl"] == LINK
    assert accept["to"] == [admin.uri] and accept["cc"] == []
    assert audience["inboxes"] == [f"{admin.uri}/inbox"] and audience["followers_of"] is None
    # The event everyone receives never carries the link.
    creates = [a for a, _ in await outgoing(rig) if a["type"] == "Create"]
    assert creates and LINK not in json.dumps(creates)
    # A local member comes second: waitlisted; the Leave gives them the place.
    await add_member(context, "bob", "bob-password")
    bob = await local_account(context, "bob")
    assert (await register(context, event, bob)).state == "waitlisted"
    leave = load("leave.json", remote, **{"https://fedi.test/events/1": event.uri})
    leave["id"] = f"{remote.base}/@admin/leave/event/1"
    await rig.post(admin, leave)
    await rig.process()
    async with context.db.read() as conn:
        regs = {r.account_id: r.state for r in await event_registrations.of_event(conn, event.id)}
    assert regs[bob.id] == "accepted" and list(regs.values()).count("cancelled") == 1


async def test_a_stranger_cannot_join_a_members_only_spaces_event(rig: Rig) -> None:
    context, remote = rig.context, rig.other
    admin = remote.actor("admin", path="/@admin")
    group = await create_group(context, "lawyers", "alice", is_private=True)
    alice = await local_account(context, "alice")
    event = await create_event(context, alice, draft(), group.account)
    join = load("join.json", remote, **{"https://fedi.test/events/1": event.uri})
    assert (await rig.post(admin, join)).status_code == 202
    await rig.process()
    async with context.db.read() as conn:
        assert await event_registrations.of_event(conn, event.id) == []
    assert [a for a, _ in await outgoing(rig) if a["type"] in ("Accept", "Reject")] == []
    # Its Create went to the members only, by the space, never to Public.
    creates = [(a, aud) for a, aud in await outgoing(rig) if a["type"] == "Create"]
    assert creates and all(
        "Public" not in json.dumps(a) and aud["members_of"] == group.id for a, aud in creates
    )


async def test_an_accept_counts_only_from_the_events_organisers(rig: Rig) -> None:
    context, remote = rig.context, rig.other
    group = remote.actor("rights_network", path="/@rights_network", type="Group")
    remote.actor("amal", path="/@amal")
    mallory = remote.actor("mallory", path="/@mallory")
    await followed(rig, group)
    await rig.post(group, load("create_group_event.json", remote))
    await rig.process()
    async with context.db.read() as conn:
        uri = load("create_group_event.json", remote)["object"]["id"]
        event = await event_rows.get_by_uri(conn, uri)
    assert event is not None
    alice = await local_account(context, "alice")
    reg = await register(context, event, alice)
    assert reg.state == "pending" and reg.join_uri is not None
    joins = [a for a, _ in await outgoing(rig) if a["type"] == "Join"]
    assert joins[-1]["object"] == uri and set(joins[-1]["to"]) == {
        group.uri,
        f"{remote.base}/@amal",
    }
    replace = {"https://fedi.test/users/alice#joins/1": reg.join_uri,
               "https://fedi.test/users/alice": alice.uri}  # fmt: skip
    forged = load("accept_join.json", remote, **replace)
    forged["actor"], forged["id"] = mallory.uri, f"{remote.base}/forged/accept"
    await rig.post(mallory, forged)
    await rig.process()
    async with context.db.read() as conn:
        still = await event_registrations.get_registration(conn, event.id, alice.id)
    assert still is not None and still.state == "pending"
    accept = load("accept_join.json", remote, **replace)
    accept["meetingUrl"] = LINK
    await rig.post(group, accept)
    await rig.process()
    async with context.db.read() as conn:
        done = await event_registrations.get_registration(conn, event.id, alice.id)
    assert done is not None and done.state == "accepted" and done.online_url == LINK


async def test_forged_events_are_refused(rig: Rig) -> None:
    """An event claiming our domain (security.md S18), or another host's (S17), is never kept."""
    remote = rig.other
    group = remote.actor("rights_network", path="/@rights_network", type="Group")
    remote.actor("amal", path="/@amal")
    await followed(rig, group)
    ours = load("create_group_event.json", remote)
    ours["id"] = f"{remote.base}/forged/ours"
    ours["object"] = {**ours["object"], "id": "https://fedi.test/events/1"}
    elsewhere = load("create_group_event.json", remote)
    elsewhere["id"] = f"{remote.base}/forged/elsewhere"
    elsewhere["object"] = {**elsewhere["object"], "id": f"{rig.victim.base}/events/9"}
    for forged in (ours, elsewhere):
        assert (await rig.post(group, forged)).status_code == 202
        await rig.process()
        state = await rig.stored(forged["id"])
        assert state is not None and state[0] == "failed", state
    async with rig.context.db.read() as conn:
        assert await event_rows.get_by_uri(conn, "https://fedi.test/events/1") is None
        assert await event_rows.get_by_uri(conn, f"{rig.victim.base}/events/9") is None
