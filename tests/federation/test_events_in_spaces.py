"""Events of spaces across two instances: a public space's event reaches its members' server
through the space's Announce (FEP-1b12) and is fetched from its origin; a members-only space's
event is sent by the space to its members alone, never to Public, stays hidden on their server
from everyone else, and only members can register."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from fedi.db import events as event_rows
from fedi.groups.groups import create_group
from tests.federation.test_events import LINK, World, client_for, draft, world
from tests.testrig.groups import join
from tests.testrig.instances import settle


async def create_in(w: World, group_id: int) -> dict[str, object]:
    async with client_for(w.a) as http:
        made = await http.post("/api/v1/events", json=draft(group_id=str(group_id)),
                               headers=w.alice)  # fmt: skip
    assert made.status_code == 200, made.text
    await settle(w.a, w.b)
    return dict(made.json())


async def test_a_public_spaces_event_arrives_through_its_announce(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        group = await create_group(w.a.ctx, "advocacy", "alice")
        await join(w.a.ctx, "advocacy", w.b.ctx, "bob")
        event = await create_in(w, group.id)
        announces = [r.activity for r in w.b.received if r.activity.get("type") == "Announce"]
        assert announces and announces[-1]["actor"] == group.account.uri
        assert announces[-1]["object"]["object"]["type"] == "Event"
        path = await w.on_bob(event)
        seen = await w.seen_by("bob", path)
        assert seen["group"]["acct"] == f"advocacy@{w.a.domain}"
        assert (await w.register("bob", path))["online_url"] == LINK


async def test_a_members_only_spaces_event_stays_with_its_members(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        group = await create_group(w.a.ctx, "lawyers", "alice", is_private=True)
        await join(w.a.ctx, "lawyers", w.b.ctx, "bob")
        event = await create_in(w, group.id)
        creates = [r.activity for r in w.b.received if r.activity.get("type") == "Create"]
        sent = creates[-1]
        assert sent["actor"] == group.account.uri and sent["object"]["type"] == "Event"
        assert "Public" not in json.dumps(sent) and sent["to"] == [group.account.followers_uri]
        assert not [r for r in w.b.received if r.activity.get("type") == "Announce"]
        path = await w.on_bob(event)
        async with w.b.ctx.db.read() as conn:
            stored = await event_rows.get_by_uri(conn, str(event["uri"]))
        assert stored is not None and not stored.is_public
        assert (await w.seen_by("bob", path))["title"] == "Documenting detentions"
        async with client_for(w.b) as http:
            hidden = await http.get(path, headers=w.on_b["carol"])
            assert hidden.status_code == 404
            listed = await http.get("/api/v1/events", headers=w.on_b["carol"])
            assert listed.json() == []
            refused = await http.post(f"{path}/registrations", headers=w.on_b["carol"])
            assert refused.status_code == 404
        assert (await w.register("bob", path))["online_url"] == LINK
        # Unsigned, the event is no more there than an event that does not exist.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{w.a.port}",
                                     headers={"Host": w.a.domain}) as http:  # fmt: skip
            fetched = await http.get(f"/events/{event['id']}",
                                     headers={"Accept": "application/activity+json"})  # fmt: skip
        assert fetched.status_code == 404
