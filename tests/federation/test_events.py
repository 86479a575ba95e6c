"""Events across two instances over real signed HTTP: an event created on alice.test reaches
bob.test as an event (not a post); members of bob.test register through their own server's API
(a Join to the organiser), in open mode (Accept at once), approval mode (pending until an
organiser decides) and when full (waitlisted, then accepted when a place frees); the meeting
link shows on bob.test only once accepted, and no participation activity names anyone but the
participant and the organisers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from fedi.accounts.members import add_member
from fedi.core.timeutil import utcnow
from fedi.db import events as event_rows
from fedi.db import statuses
from fedi.relationships.relationships import follow
from tests.api.tokens import bearer
from tests.testrig.instances import Instance, federation, settle

LINK = "https://meet.example.org/webinar-41"


def draft(**fields: Any) -> dict[str, Any]:
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    body: dict[str, Any] = {
        "title": "Documenting detentions", "description": "Agenda and speakers.",
        "start_at": start.isoformat(), "end_at": (start + timedelta(hours=1)).isoformat(),
        "timezone": "Africa/Tunis", "online_url": LINK, "registration": "open",
    }  # fmt: skip
    body.update(fields)
    return body


def client_for(instance: Instance) -> httpx.AsyncClient:
    """The instance's API on loopback, under its own name."""
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{instance.port}", headers={"Host": instance.domain}
    )


@dataclass
class World:
    a: Instance
    b: Instance
    alice: dict[str, str]
    on_b: dict[str, dict[str, str]]

    async def create(self, **fields: Any) -> dict[str, Any]:
        async with client_for(self.a) as http:
            made = await http.post("/api/v1/events", json=draft(**fields), headers=self.alice)
        assert made.status_code == 200, made.text
        await settle(self.a, self.b)
        return dict(made.json())

    async def on_bob(self, event: dict[str, Any]) -> str:
        """The event's API path on bob.test."""
        async with self.b.ctx.db.read() as conn:
            there = await event_rows.get_by_uri(conn, event["uri"])
        assert there is not None, "the event did not reach bob.test"
        return f"/api/v1/events/{there.id}"

    async def register(self, name: str, path: str) -> dict[str, Any]:
        async with client_for(self.b) as http:
            answer = await http.post(f"{path}/registrations", headers=self.on_b[name])
        assert answer.status_code == 200, answer.text
        await settle(self.a, self.b)
        return await self.seen_by(name, path)

    async def seen_by(self, name: str, path: str) -> dict[str, Any]:
        async with client_for(self.b) as http:
            return dict((await http.get(path, headers=self.on_b[name])).json())

    def participation(self) -> list[dict[str, Any]]:
        received = [r.activity for r in (*self.a.received, *self.b.received)]
        return [a for a in received if a.get("type") in ("Join", "Leave") or (
            a.get("type") in ("Accept", "Reject") and isinstance(a.get("object"), dict)
            and a["object"].get("type") == "Join"
        )]  # fmt: skip


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        for name in ("bob", "carol", "dave"):
            await add_member(b.ctx, name, f"{name}-password")
            await follow(b.ctx, name, a.handle("alice"))
        await settle(a, b)
        async with client_for(a) as http:
            alice = await bearer(http, "alice", "read write")
        async with client_for(b) as http:
            on_b = {n: await bearer(http, n, "read write") for n in ("bob", "carol", "dave")}
        yield World(a, b, alice, on_b)


async def test_an_open_event_federates_and_reveals_its_link_after_the_accept(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        event = await w.create()
        sent = [r.activity for r in w.b.received if r.activity.get("type") == "Create"]
        document = sent[-1]["object"]
        assert document["type"] == "Event" and document["joinMode"] == "free"
        assert document["timezone"] == "Africa/Tunis" and document["startTime"].endswith("+01:00")
        assert LINK not in json.dumps(sent)  # never in the object everyone receives
        async with w.b.ctx.db.read() as conn:
            assert await statuses.get_by_uri(conn, event["uri"]) is None  # not a plain post
        path = await w.on_bob(event)
        before = await w.seen_by("bob", path)
        assert before["title"] == "Documenting detentions" and "online_url" not in before
        after = await w.register("bob", path)
        assert after["registration_state"] == "accepted"
        assert after["online_url"] == LINK
        assert after["participant_count"] == 1  # alice.test's Update{Event} told bob.test
        assert "online_url" not in await w.seen_by("carol", path)
        async with client_for(w.a) as http:
            listed = (await http.get(f"/api/v1/events/{event['id']}/registrations",
                                     headers=w.alice)).json()  # fmt: skip
        assert [(r["account"]["acct"], r["state"]) for r in listed] == [
            (f"bob@{w.b.domain}", "accepted")
        ]
        assert {a["type"] for a in w.participation()} == {"Join", "Accept"}
        for activity in w.participation():
            named = {*activity.get("to", []), *activity.get("cc", [])}
            assert named <= {f"{w.a.base}/users/alice", f"{w.b.base}/users/bob"}, activity


async def test_approval_holds_registrations_until_an_organiser_decides(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        event = await w.create(registration="approval")
        assert [r.activity for r in w.b.received][-1]["object"]["joinMode"] == "restricted"
        path = await w.on_bob(event)
        assert (await w.register("bob", path))["registration_state"] == "pending"
        assert (await w.register("carol", path))["registration_state"] == "pending"
        assert "online_url" not in await w.seen_by("bob", path)
        async with client_for(w.a) as http:
            listed = (await http.get(f"/api/v1/events/{event['id']}/registrations",
                                     headers=w.alice)).json()  # fmt: skip
            ids = {r["account"]["username"]: r["account"]["id"] for r in listed}
            base = f"/api/v1/events/{event['id']}/registrations"
            ok = await http.post(f"{base}/{ids['bob']}/authorize", headers=w.alice)
            no = await http.post(f"{base}/{ids['carol']}/reject", headers=w.alice)
        assert ok.json()["state"] == "accepted" and no.json()["state"] == "rejected"
        await settle(w.a, w.b)
        assert (await w.seen_by("bob", path))["online_url"] == LINK
        carol = await w.seen_by("carol", path)
        assert carol["registration_state"] == "rejected" and "online_url" not in carol


async def test_a_full_event_waitlists_and_promotes_when_someone_leaves(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        event = await w.create(capacity=1)
        assert [r.activity for r in w.b.received][-1]["object"]["maximumAttendeeCapacity"] == 1
        path = await w.on_bob(event)
        assert (await w.register("bob", path))["registration_state"] == "accepted"
        carol = await w.register("carol", path)
        assert carol["registration_state"] == "pending"  # bob.test waits for alice.test's word
        async with client_for(w.a) as http:
            listed = (await http.get(f"/api/v1/events/{event['id']}/registrations",
                                     headers=w.alice)).json()  # fmt: skip
        assert [r["state"] for r in listed] == ["accepted", "waitlisted"]
        assert "online_url" not in carol
        async with client_for(w.b) as http:
            await http.delete(f"{path}/registrations", headers=w.on_b["bob"])
        await settle(w.a, w.b)
        leaves = [a for a in w.participation() if a["type"] == "Leave"]
        assert leaves and leaves[0]["object"] == event["uri"]
        carol = await w.seen_by("carol", path)
        assert carol["registration_state"] == "accepted" and carol["online_url"] == LINK
        assert "online_url" not in await w.seen_by("bob", path)
        assert carol["participant_count"] == 1 and carol["remaining_capacity"] == 0
        updates = [r.activity for r in w.b.received if r.activity.get("type") == "Update"]
        assert updates and all(LINK not in json.dumps(u) for u in updates)
        for update in updates:  # the count, never who registered
            named = {*update.get("to", []), *update.get("cc", [])}
            assert not any("/users/bob" in a or "/users/carol" in a for a in named), update
