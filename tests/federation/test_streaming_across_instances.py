"""A stream client on instance A hears, live, what a member of instance B that A's member follows
posts there; B's followers-only post to others never reaches a non-follower's stream on A."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from fedi.accounts.members import add_member
from fedi.relationships.relationships import follow
from tests.api.streams import password_token, sse, websocket, ws_next
from tests.testrig.instances import federation, settle


async def test_a_stream_on_a_receives_the_update_when_bob_posts_on_b(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(a.ctx, "erin", "erin-password")
        await add_member(b.ctx, "bob", "bob-password")
        assert await follow(a.ctx, "alice", b.handle("bob")) == "pending"
        await settle(a, b)

        on_a = f"http://127.0.0.1:{a.port}"  # the test names resolve for the servers only
        on_b = f"http://127.0.0.1:{b.port}"
        alice, erin = await password_token(on_a), await password_token(on_a, username="erin")
        bob = await password_token(on_b, username="bob")
        async with (
            sse(on_a, "/api/v1/streaming/user", alice) as stream,
            websocket(on_a, alice, "stream=public:remote") as remote,
            websocket(on_a, erin, "stream=user") as bystander,
            httpx.AsyncClient(base_url=on_b, headers={"Authorization": f"Bearer {bob}"}) as api,
        ):
            secret = await api.post(
                "/api/v1/statuses", data={"status": "For followers", "visibility": "private"}
            )
            news = await api.post("/api/v1/statuses", data={"status": "Live from B"})
            assert secret.status_code == news.status_code == 200
            await settle(a, b)

            first, second = await stream.next(), await stream.next()
            assert [first.event, second.event] == ["update", "update"]
            # Both, in either order: the inbox worker runs one actor's posts side by side.
            updates = {event.json()["uri"]: event.json() for event in (first, second)}
            assert set(updates) == {secret.json()["uri"], news.json()["uri"]}
            assert updates[news.json()["uri"]]["account"]["acct"] == f"bob@{b.domain}"

            heard = await ws_next(remote)  # the public one only
            assert (heard["event"], heard["stream"]) == ("update", ["public:remote"])
            assert json.loads(heard["payload"])["uri"] == news.json()["uri"]

            own = await password_token(on_a, username="erin")
            async with httpx.AsyncClient(base_url=on_a) as mine:
                marker = await mine.post(
                    "/api/v1/statuses", headers={"Authorization": f"Bearer {own}"},
                    data={"status": "erin's own", "visibility": "private"},
                )  # fmt: skip
            frame = await ws_next(bystander)  # erin follows nobody: only her own post
            assert json.loads(frame["payload"])["id"] == marker.json()["id"]
