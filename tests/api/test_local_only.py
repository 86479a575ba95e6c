"""Local-only posts through the client API: the `local_only` flag on POST /api/v1/statuses and on
the status entity; members of this instance see such posts like any other of their visibility,
while anonymous callers and the public web get the answer for a post that does not exist."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.statuses.posting import pin_status, post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.streams import password_token, sse
from tests.api.tokens import bearer

AP = {"Accept": "application/activity+json"}


async def _post(http: httpx.AsyncClient, auth: dict[str, str], **data: Any) -> httpx.Response:
    return await http.post("/api/v1/statuses", json=data, headers=auth)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [(True, True), (False, False), ("true", True), ("false", False), (1, True), (0, False)],
)
async def test_local_only_is_read_from_json(served: Served, sent: object, expected: bool) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read write")
        made = await _post(http, auth, status="hello", local_only=sent)
        assert made.status_code == 200, made.text
        assert made.json()["local_only"] is expected
        shown = await http.get(f"/api/v1/statuses/{made.json()['id']}", headers=auth)
    assert shown.json()["local_only"] is expected


async def test_local_only_is_read_from_a_form(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read write")
        for sent, expected in (("1", True), ("true", True), ("0", False), ("false", False)):
            made = await http.post(
                "/api/v1/statuses", data={"status": "form", "local_only": sent}, headers=auth
            )
            assert made.status_code == 200, made.text
            assert made.json()["local_only"] is expected
        plain = await http.post("/api/v1/statuses", data={"status": "plain"}, headers=auth)
    assert plain.json()["local_only"] is False


@pytest.mark.parametrize("sent", ["maybe", 2, "yes please", [True], {"a": 1}])
async def test_a_bad_local_only_is_a_422_and_nothing_is_posted(
    served: Served, sent: object
) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read write")
        refused = await _post(http, auth, status="not posted", local_only=sent)
        mine = await http.get("/api/v1/timelines/home", headers=auth)
    assert refused.status_code == 422
    assert "local_only" in refused.json()["details"]
    assert mine.json() == []


async def test_members_see_local_only_posts_and_anonymous_callers_do_not(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    hidden = await post_status(context, "alice", "For members #here", local_only=True)
    shown = await post_status(context, "alice", "For everyone #here")
    missing = hidden.id + 7
    async with httpx.AsyncClient(base_url=served.base) as http:
        bob = await bearer(http, "bob", "read")
        alice_id = (await http.get("/api/v1/accounts/lookup?acct=alice")).json()["id"]
        paths = {
            "public": "/api/v1/timelines/public",
            "local": "/api/v1/timelines/public?local=true",
            "tag": "/api/v1/timelines/tag/here",
            "account": f"/api/v1/accounts/{alice_id}/statuses",
            "batch": f"/api/v1/statuses?id[]={hidden.id}&id[]={shown.id}",
        }
        for name, path in paths.items():
            anonymous = [s["id"] for s in (await http.get(path)).json()]
            member = [s["id"] for s in (await http.get(path, headers=bob)).json()]
            assert str(hidden.id) not in anonymous, name
            assert str(shown.id) in anonymous, name
            assert str(hidden.id) in member, name
        for suffix in ("", "/context", "/history", "/favourited_by", "/reblogged_by"):
            absent = await http.get(f"/api/v1/statuses/{missing}{suffix}")
            anonymous_one = await http.get(f"/api/v1/statuses/{hidden.id}{suffix}")
            assert anonymous_one.status_code == absent.status_code == 404, suffix
            assert anonymous_one.json() == absent.json()
            member_one = await http.get(f"/api/v1/statuses/{hidden.id}{suffix}", headers=bob)
            assert member_one.status_code == 200, suffix
        entity = (await http.get(f"/api/v1/statuses/{hidden.id}", headers=bob)).json()
        assert entity["local_only"] is True and entity["visibility"] == "public"


async def test_the_public_web_and_activitypub_never_serve_a_local_only_post(
    served: Served,
) -> None:
    context = served.context
    hidden = await post_status(context, "alice", "Members only, not on the web", local_only=True)
    await post_status(context, "alice", "On the web")
    await pin_status(context, "alice", hidden.id)  # allowed, but never featured to others
    missing = hidden.id + 7
    async with httpx.AsyncClient(base_url=served.base) as http:
        for accept in ({}, AP):
            page = await http.get(f"/@alice/{hidden.id}", headers=accept)
            absent = await http.get(f"/@alice/{missing}", headers=accept)
            assert page.status_code == absent.status_code == 404
            assert page.text == absent.text
            assert page.headers["content-type"] == absent.headers["content-type"]
        for suffix in ("", "/activity", "/replies"):
            served_one = await http.get(f"/users/alice/statuses/{hidden.id}{suffix}", headers=AP)
            absent = await http.get(f"/users/alice/statuses/{missing}{suffix}", headers=AP)
            assert served_one.status_code == absent.status_code == 404
            assert served_one.text == absent.text
        profile = await http.get("/@alice")
        outbox = await http.get("/users/alice/outbox?page=true", headers=AP)
        outbox_total = (await http.get("/users/alice/outbox", headers=AP)).json()["totalItems"]
        featured = (await http.get("/users/alice/collections/featured", headers=AP)).json()
        member = await bearer(http, "alice", "read")
        alice_id = (await http.get("/api/v1/accounts/lookup?acct=alice")).json()["id"]
        pinned_path = f"/api/v1/accounts/{alice_id}/statuses?pinned=true"
        pinned_anonymous = (await http.get(pinned_path)).json()
        pinned_member = (await http.get(pinned_path, headers=member)).json()
    assert "On the web" in profile.text and "Members only" not in profile.text
    assert [i["object"]["id"] for i in outbox.json()["orderedItems"]] != []
    assert hidden.uri not in outbox.text and outbox_total == 1
    assert featured["orderedItems"] == [] and featured["totalItems"] == 0
    assert pinned_anonymous == []
    assert [s["id"] for s in pinned_member] == [str(hidden.id)]


async def test_replies_edits_and_boosts_keep_a_post_local_only(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    async with httpx.AsyncClient(base_url=served.base) as http:
        alice = await bearer(http, "alice", "read write")
        bob = await bearer(http, "bob", "read write")
        root = (await _post(http, alice, status="Just us", local_only=True)).json()
        reply = (await _post(http, bob, status="Agreed", in_reply_to_id=root["id"])).json()
        edited = await http.put(
            f"/api/v1/statuses/{root['id']}", json={"status": "Just us, edited"}, headers=alice
        )
        boost = await http.post(f"/api/v1/statuses/{root['id']}/reblog", headers=bob)
        replies_anonymous = await http.get(f"/api/v1/statuses/{reply['id']}")
    assert reply["local_only"] is True
    assert edited.status_code == 200 and edited.json()["local_only"] is True
    assert edited.json()["content"] == "<p>Just us, edited</p>"
    assert boost.status_code == 200
    assert boost.json()["local_only"] is True and boost.json()["reblog"]["id"] == root["id"]
    assert replies_anonymous.status_code == 404


async def test_a_members_public_stream_carries_local_only_posts(served: Served) -> None:
    token = await password_token(served.base)
    async with sse(served.base, "/api/v1/streaming/public", token) as events:
        await post_status(served.context, "alice", "Streamed to members", local_only=True)
        update = await events.next()
    assert update.event == "update"
    assert update.json()["local_only"] is True


async def test_mastodon_py_posts_and_reads_local_only(served: Served) -> None:
    def run() -> tuple[Any, Any, list[Any]]:
        with logged_in(served.base) as client:
            # Mastodon.py has no parameter for it; its request helper sends it as a form field.
            made = client._Mastodon__api_request(  # type: ignore[attr-defined]
                "POST", "/api/v1/statuses", {"status": "Via Mastodon.py", "local_only": True}
            )
            return made, client.status(made["id"]), list(client.timeline_public())

    made, read, public = await asyncio.to_thread(run)
    assert made["local_only"] is True
    assert read["local_only"] is True and read["content"] == "<p>Via Mastodon.py</p>"
    assert [s["id"] for s in public] == [made["id"]]
    async with httpx.AsyncClient(base_url=served.base) as http:
        assert (await http.get("/api/v1/timelines/public")).json() == []
