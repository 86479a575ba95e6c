"""New posts and notifications announced live on the member's home page, over Server-Sent
Events from a served instance: what the home feed would show (a followed hashtag's public posts
among them), nothing else, and the stream ends with the session."""

from __future__ import annotations

import re

import httpx

from fedi.accounts.members import add_member
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.api.conftest import Served
from tests.api.streams import WAIT, SSEReader

BROWSER = {"Accept": "text/html"}


async def signed_in(base: str, username: str, password: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(WAIT, read=None))
    page = await http.get("/auth/sign_in", headers=BROWSER)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = await http.post(
        "/auth/sign_in",
        data={"csrf_token": token[1], "username": username, "password": password},
        headers=BROWSER | {"Origin": base},
    )
    assert answer.status_code == 303
    return http


async def test_home_stream_announces_followed_posts_and_notifications(served: Served) -> None:
    context = served.context
    bob = await add_member(context, "bob", "bob-password")
    await add_member(context, "carol", "carol-password")
    alice_http = await signed_in(served.base, "alice", "alice-password")
    try:
        home = await alice_http.get("/home", headers=BROWSER)
        assert 'sse-connect="/stream/home"' in home.text
        async with alice_http.stream("GET", "/stream/home?lang=en") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-store"
            reader = SSEReader(response)
            assert await reader.line() == ":)"
            await follow(context, "alice", bob.account)
            await post_status(context, "carol", "Not followed: not announced")
            await post_status(context, "alice", "My own post: not announced")
            await post_status(context, "bob", "Followed: announced")
            event = await reader.next()
            assert event.event == "home"
            assert event.data == '<a class="new-posts" href="/home">1 new post</a>'
            await post_status(context, "carol", "@alice hello", visibility="direct")
            first = await reader.next()
            # The direct mention is on alice's home too, and a notification.
            events = {first.event: first.data, **{(e := await reader.next()).event: e.data}}
            assert events["home"].endswith(">2 new posts</a>")
            assert events["notification"] == (
                '<a class="new-notes" href="/notifications">1 new notification</a>'
            )
    finally:
        await alice_http.aclose()


async def test_home_stream_announces_a_followed_hashtags_public_posts(served: Served) -> None:
    context = served.context
    await add_member(context, "carol", "carol-password")
    alice_http = await signed_in(served.base, "alice", "alice-password")
    try:
        page = await alice_http.get("/tags/rivers", headers=BROWSER)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        followed = await alice_http.post(
            "/tags/rivers/follow", data={"csrf_token": token[1]},
            headers=BROWSER | {"Origin": served.base},
        )  # fmt: skip
        assert followed.status_code == 303
        async with alice_http.stream("GET", "/stream/home?lang=en") as response:
            reader = SSEReader(response)
            assert await reader.line() == ":)"
            await post_status(context, "carol", "Quiet #rivers", visibility="unlisted")
            await post_status(context, "carol", "Another theme #lakes")
            await post_status(context, "carol", "Flood warning #rivers")
            event = await reader.next()
            assert event.event == "home"
            assert event.data == '<a class="new-posts" href="/home">1 new post</a>'
            await post_status(context, "carol", "Rain again #Rivers")
            event = await reader.next()  # the unlisted and the other theme were never counted
            assert event.data == '<a class="new-posts" href="/home">2 new posts</a>'
    finally:
        await alice_http.aclose()


async def test_visitors_get_no_stream(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        answer = await http.get("/stream/home", headers=BROWSER)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/sign_in")


async def test_signing_out_ends_the_stream(served: Served) -> None:
    served.context.streams.heartbeat = 0.2
    http = await signed_in(served.base, "alice", "alice-password")
    try:
        async with http.stream("GET", "/stream/home") as response:
            reader = SSEReader(response)
            assert await reader.line() == ":)"
            page = await http.get("/about", headers=BROWSER)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            out = await http.post(
                "/auth/sign_out", data={"csrf_token": token[1]},
                headers=BROWSER | {"Origin": served.base},
            )  # fmt: skip
            assert out.status_code == 303
            assert await reader.ended()
    finally:
        await http.aclose()
