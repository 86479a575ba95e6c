"""Direct conversations as apps list them: a thread of direct posts per conversation, unread
until read or answered, removable until someone writes again, and invisible to everyone who
is not part of it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from mastodon import MastodonNotFoundError

from fedi.accounts.members import add_member
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served


async def _members(served: Served) -> None:
    for name in ("bob", "carol"):
        await add_member(served.context, name, f"{name}-password")


async def test_a_direct_thread_is_one_conversation(served: Served) -> None:
    await _members(served)
    context = served.context
    first = await post_status(context, "bob", "@alice are you free?", "direct")
    await post_status(context, "carol", "@bob a secret between us", "direct")
    await post_status(context, "bob", "@alice a public note", "public")

    def run() -> tuple[Any, Any, Any, Any, Any]:
        with logged_in(served.base) as client:
            before = client.conversations()
            reply = client.status_post("@bob yes", visibility="direct", in_reply_to_id=first.id)
            after_reply = client.conversations()
            return before, reply, after_reply, client.me(), client.account_lookup("bob")

    before, reply, after_reply, me, bob = await asyncio.to_thread(run)
    assert len(before) == 1
    conversation = before[0]
    assert conversation["id"] == str(first.id)
    assert conversation["unread"] is True
    assert [a["id"] for a in conversation["accounts"]] == [bob["id"]]
    assert conversation["last_status"]["id"] == str(first.id)
    assert me["id"] not in [a["id"] for a in conversation["accounts"]]
    # Answering brings the reply up as the last post and counts as having read it.
    assert len(after_reply) == 1
    assert after_reply[0]["id"] == str(first.id)
    assert after_reply[0]["last_status"]["id"] == reply["id"]
    assert after_reply[0]["unread"] is False


async def test_read_remove_and_come_back(served: Served) -> None:
    await _members(served)
    context = served.context
    first = await post_status(context, "bob", "@alice hello", "direct")

    def act() -> tuple[Any, Any, Any]:
        with logged_in(served.base) as client:
            read = client.conversations_read(first.id)
            listed = client.conversations()
            return read, listed, client.access_token

    read, listed, token = await asyncio.to_thread(act)
    assert read["unread"] is False and listed[0]["unread"] is False
    async with httpx.AsyncClient(
        base_url=served.base, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        removed = await http.delete(f"/api/v1/conversations/{first.id}")
        assert removed.status_code == 200 and removed.json() == {}
        assert (await http.get("/api/v1/conversations")).json() == []
        # A new post in the thread brings the conversation back, unread.
        await post_status(context, "bob", "@alice still there?", "direct", in_reply_to_id=first.id)
        back = (await http.get("/api/v1/conversations")).json()
    assert [c["id"] for c in back] == [str(first.id)]
    assert back[0]["unread"] is True


async def test_conversations_page_with_link_headers(served: Served) -> None:
    await _members(served)
    posts = [
        await post_status(served.context, "bob", f"@alice thread {n}", "direct") for n in range(3)
    ]

    def run() -> tuple[list[str], list[str]]:
        with logged_in(served.base) as client:
            first = client.conversations(limit=2)
            second = client.fetch_next(first)
            assert second is not None
            return [c["id"] for c in first], [c["id"] for c in second]

    first, second = await asyncio.to_thread(run)
    assert first == [str(posts[2].id), str(posts[1].id)]
    assert second == [str(posts[0].id)]


async def test_someone_elses_conversation_is_not_found(served: Served) -> None:
    await _members(served)
    secret = await post_status(served.context, "carol", "@bob only for you", "direct")

    def run() -> tuple[list[Any], Any]:
        with logged_in(served.base) as client:
            with pytest.raises(MastodonNotFoundError):
                client.conversations_read(secret.id)
            return client.conversations(), client.access_token

    listed, token = await asyncio.to_thread(run)
    assert listed == []
    async with httpx.AsyncClient(
        base_url=served.base, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        for method, path in (
            ("DELETE", f"/api/v1/conversations/{secret.id}"),
            ("POST", f"/api/v1/conversations/{secret.id}/read"),
            ("POST", "/api/v1/conversations/not-an-id/read"),
        ):
            answer = await http.request(method, path)
            assert answer.status_code == 404, path
            assert answer.json() == {"error": "Record not found"}

    # Bob, who is part of it, does see it.
    def as_bob() -> list[Any]:
        with logged_in(served.base, username="bob") as client:
            return list(client.conversations())

    bobs = await asyncio.to_thread(as_bob)
    assert [c["id"] for c in bobs] == [str(secret.id)]


async def test_conversations_need_their_scopes(served: Served) -> None:
    def run() -> tuple[int, int]:
        with logged_in(served.base, ["read:accounts"]) as client:
            token = client.access_token
        with httpx.Client(base_url=served.base) as http:
            headers = {"Authorization": f"Bearer {token}"}
            listed = http.get("/api/v1/conversations", headers=headers).status_code
            marked = http.post("/api/v1/conversations/1/read", headers=headers).status_code
        return listed, marked

    assert await asyncio.to_thread(run) == (403, 403)
