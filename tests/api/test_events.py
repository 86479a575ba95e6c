"""Events from the API: creating one (and its 422s), registering in open and approval mode,
capacity and the waiting list (concurrent registrations included), the organisers' list, the
meeting link shown only to organisers and accepted registrants, members-only spaces' events
hidden from everyone else (404), and the scopes every route needs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from fedi.accounts.members import add_member
from fedi.core.timeutil import utcnow
from fedi.db import events as event_rows
from fedi.events.events import visible_event
from fedi.events.registrations import register
from fedi.groups.groups import create_group
from tests.api.conftest import Served
from tests.api.tokens import bearer
from tests.testrig.groups import accept_follow, local_account

LINK = "https://meet.example.org/room-7f1c"


def draft(**fields: Any) -> dict[str, Any]:
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    body: dict[str, Any] = {
        "title": "Monthly webinar: documenting detentions",
        "description": "Agenda and speakers.",
        "start_at": start.isoformat(),
        "end_at": (start + timedelta(hours=1, minutes=30)).isoformat(),
        "timezone": "Europe/Zurich",
        "online_url": LINK,
        "registration": "open",
    }
    body.update(fields)
    return body


async def people(served: Served, *names: str) -> dict[str, dict[str, str]]:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = {"alice": await bearer(http, "alice", "read write")}
        for name in names:
            await add_member(served.context, name, f"{name}-password")
            headers[name] = await bearer(http, name, "read write")
    return headers


async def test_an_open_event_accepts_and_shows_the_link_only_after_registration(
    served: Served,
) -> None:
    who = await people(served, "bob")
    async with httpx.AsyncClient(base_url=served.base) as http:
        made = await http.post("/api/v1/events", json=draft(), headers=who["alice"])
        assert made.status_code == 200, made.text
        assert made.headers["cache-control"] == "private, no-store"
        event = made.json()
        assert event["uri"] == event["url"] == f"{served.base}/events/{event['id']}"
        assert event["online_url"] == LINK  # the organiser sees it
        assert event["timezone"] == "Europe/Zurich" and event["registration"] == "open"
        path = f"/api/v1/events/{event['id']}"
        seen = (await http.get(path, headers=who["bob"])).json()
        assert "online_url" not in seen and seen["registration_state"] is None
        assert LINK not in (await http.get("/api/v1/events", headers=who["bob"])).text
        joined = await http.post(f"{path}/registrations", headers=who["bob"])
        assert joined.status_code == 200, joined.text
        assert joined.json()["state"] == "accepted"
        assert joined.json()["event"]["online_url"] == LINK
        assert joined.json()["event"]["participant_count"] == 1
        left = await http.delete(f"{path}/registrations", headers=who["bob"])
        assert left.json()["state"] == "cancelled"
        assert "online_url" not in left.json()["event"]


async def test_invalid_events_get_mastodon_style_422_details(served: Served) -> None:
    who = await people(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        bad = draft(
            timezone="Mars/Olympus", online_url="javascript:alert(1)", capacity="-3",
            registration="invite", title="",
        )  # fmt: skip
        answer = await http.post("/api/v1/events", json=bad, headers=who["alice"])
        assert answer.status_code == 422
        body = answer.json()
        assert body["error"].startswith("Validation failed")
        assert set(body["details"]) == {
            "title", "timezone", "online_url", "capacity", "registration",
        }  # fmt: skip
        start = utcnow() + timedelta(days=1)
        backwards = draft(
            start_at=start.isoformat(), end_at=(start - timedelta(hours=1)).isoformat()
        )
        answer = await http.post("/api/v1/events", json=backwards, headers=who["alice"])
        assert answer.status_code == 422 and "end_at" in answer.json()["details"]
        naive = draft(start_at="2030-03-12T15:00", end_at="2030-03-12T16:30")
        answer = await http.post("/api/v1/events", json=naive, headers=who["alice"])
        assert answer.json()["start_at"] == "2030-03-12T14:00:00.000Z"  # read in Zurich time


async def test_capacity_keeps_a_waiting_list_promoted_when_a_place_frees(served: Served) -> None:
    who = await people(served, "bob", "carol")
    async with httpx.AsyncClient(base_url=served.base) as http:
        event = (
            await http.post("/api/v1/events", json=draft(capacity=1), headers=who["alice"])
        ).json()
        path = f"/api/v1/events/{event['id']}"
        assert (await http.post(f"{path}/registrations", headers=who["bob"])).json()[
            "state"
        ] == "accepted"
        carol = (await http.post(f"{path}/registrations", headers=who["carol"])).json()
        assert carol["state"] == "waitlisted" and "online_url" not in carol["event"]
        assert carol["event"]["remaining_capacity"] == 0
        await http.delete(f"{path}/registrations", headers=who["bob"])
        carol = (await http.get(path, headers=who["carol"])).json()
        assert carol["registration_state"] == "accepted" and carol["online_url"] == LINK


async def test_concurrent_registrations_never_exceed_the_capacity(served: Served) -> None:
    context = served.context
    names = [f"member{i}" for i in range(8)]
    for name in names:
        await add_member(context, name, f"{name}-password")
    async with httpx.AsyncClient(base_url=served.base) as http:
        alice = await bearer(http, "alice", "write")
        made = (await http.post("/api/v1/events", json=draft(capacity=3), headers=alice)).json()
    event = await visible_event(context, int(made["id"]), None)
    members = [await local_account(context, name) for name in names]
    results = await asyncio.gather(*(register(context, event, m) for m in members))
    states = sorted(r.state for r in results)
    assert states == ["accepted"] * 3 + ["waitlisted"] * 5


async def test_approval_mode_waits_for_an_organiser(served: Served) -> None:
    who = await people(served, "bob", "dave")
    bob_id = (await local_account(served.context, "bob")).id
    dave_id = (await local_account(served.context, "dave")).id
    async with httpx.AsyncClient(base_url=served.base) as http:
        event = (await http.post("/api/v1/events", json=draft(registration="approval"),
                                 headers=who["alice"])).json()  # fmt: skip
        path = f"/api/v1/events/{event['id']}"
        asked = await http.post(f"{path}/registrations", json={"message": "Tunis office"},
                                headers=who["bob"])  # fmt: skip
        assert asked.json()["state"] == "pending" and "online_url" not in asked.json()["event"]
        await http.post(f"{path}/registrations", headers=who["dave"])
        assert (await http.get(f"{path}/registrations", headers=who["bob"])).status_code == 403
        listed = (await http.get(f"{path}/registrations", headers=who["alice"])).json()
        assert [(r["account"]["username"], r["state"], r["message"]) for r in listed] == [
            ("bob", "pending", "Tunis office"), ("dave", "pending", ""),
        ]  # fmt: skip
        refused = await http.post(f"{path}/registrations/{bob_id}/authorize", headers=who["dave"])
        assert refused.status_code == 403
        approved = await http.post(f"{path}/registrations/{bob_id}/authorize", headers=who["alice"])
        assert approved.json()["state"] == "accepted"
        rejected = await http.post(f"{path}/registrations/{dave_id}/reject", headers=who["alice"])
        assert rejected.json()["state"] == "rejected"
        assert (await http.get(path, headers=who["bob"])).json()["online_url"] == LINK
        assert "online_url" not in (await http.get(path, headers=who["dave"])).json()


async def test_an_event_of_a_members_only_space_is_hidden_from_everyone_else(
    served: Served,
) -> None:
    context = served.context
    who = await people(served, "bob", "eve")
    group = await create_group(context, "lawyers", "alice", is_private=True)
    await accept_follow(context, await local_account(context, "bob"), group.account)
    async with httpx.AsyncClient(base_url=served.base) as http:
        made = await http.post("/api/v1/events", json=draft(group_id=str(group.id)),
                               headers=who["alice"])  # fmt: skip
        assert made.status_code == 200, made.text
        event = made.json()
        assert event["group"]["username"] == "lawyers"
        path = f"/api/v1/events/{event['id']}"
        assert (await http.get(path, headers=who["bob"])).status_code == 200
        hidden = await http.get(path, headers=who["eve"])
        missing = await http.get("/api/v1/events/123456789", headers=who["eve"])
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
        assert (await http.post(f"{path}/registrations", headers=who["eve"])).status_code == 404
        assert (await http.get("/api/v1/events", headers=who["eve"])).json() == []
        assert len((await http.get("/api/v1/events", headers=who["bob"])).json()) == 1
        # Eve cannot create one in a space she is not in, nor learn it exists.
        refused = await http.post("/api/v1/events", json=draft(group_id=str(group.id)),
                                  headers=who["eve"])  # fmt: skip
        assert refused.status_code == 404
    async with context.db.read() as conn:
        stored = await event_rows.get_event(conn, int(event["id"]))
    assert stored is not None and not stored.is_public


async def test_every_event_route_checks_its_scope(served: Served) -> None:
    await people(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        reader = await bearer(http, "alice", "read")
        writer = await bearer(http, "alice", "write:statuses")
        assert (await http.post("/api/v1/events", json=draft(), headers=reader)).status_code == 403
        made = await http.post("/api/v1/events", json=draft(), headers=writer)
        assert made.status_code == 200
        path = f"/api/v1/events/{made.json()['id']}"
        assert (await http.get(path, headers=writer)).status_code == 403
        assert (await http.get(path)).status_code == 401
        assert (await http.post(f"{path}/registrations", headers=reader)).status_code == 403
        assert (await http.get(path, headers=reader)).status_code == 200
