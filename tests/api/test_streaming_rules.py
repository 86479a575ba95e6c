"""Live streams apply what the member hides on every timeline: mutes (posts and, if asked,
notifications), `hide` and `warn` filters; list streams carry only the list's timeline, for the
list's owner alone; the user stream carries a followed hashtag's public posts, as home does."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.conftest import Served
from tests.api.streams import sse
from tests.api.test_streaming import follows, members, post


async def call(served: Served, token: str, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient(base_url=served.base) as http:
        answer = await http.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, json=body
        )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_list_stream_carries_the_list_timeline_to_its_owner_only(served: Served) -> None:
    tokens = await members(served, "alice", "bob", "carol", "dave")
    await follows(served, "alice", "bob")
    await follows(served, "alice", "carol")
    bob_id = (await call(served, tokens["alice"], "GET", "/api/v1/accounts/lookup?acct=bob"))["id"]
    team = await call(served, tokens["alice"], "POST", "/api/v1/lists", {"title": "team"})
    await call(
        served, tokens["alice"], "POST", f"/api/v1/lists/{team['id']}/accounts",
        {"account_ids": [bob_id]},
    )  # fmt: skip
    async with httpx.AsyncClient(base_url=served.base) as http:
        other = await http.get(
            f"/api/v1/streaming/list?list={team['id']}",
            headers={"Authorization": f"Bearer {tokens['dave']}"},
        )
    assert other.status_code == 404
    assert other.json() == {"error": "Not authorized to stream this list"}

    async with sse(served.base, f"/api/v1/streaming/list?list={team['id']}", tokens["alice"]) as s:
        await post(served, tokens["carol"], "carol is not on the list")
        first = await post(served, tokens["bob"], "bob is", "private")
        event = await s.next()
        assert (event.event, event.json()["id"]) == ("update", first["id"])
        await post(served, tokens["carol"], "still not")
        second = await post(served, tokens["bob"], "bob again")
        event = await s.next()
        assert (event.event, event.json()["id"]) == ("update", second["id"])


async def test_mutes_silence_posts_and_notifications_on_the_user_stream(served: Served) -> None:
    tokens = await members(served, "alice", "bob", "carol")
    await follows(served, "alice", "bob")
    await follows(served, "alice", "carol")
    bob_id = (await call(served, tokens["alice"], "GET", "/api/v1/accounts/lookup?acct=bob"))["id"]
    await call(served, tokens["alice"], "POST", f"/api/v1/accounts/{bob_id}/mute")
    async with sse(served.base, "/api/v1/streaming/user", tokens["alice"]) as stream:
        await post(served, tokens["bob"], "muted chatter")
        await post(served, tokens["bob"], "@alice muted mention", "private")
        marker = await post(served, tokens["carol"], "@alice from carol", "private")
        update, notification = await stream.next(), await stream.next()
        assert (update.event, update.json()["id"]) == ("update", marker["id"])
        assert notification.event == "notification"
        assert notification.json()["status"]["id"] == marker["id"]


async def test_filters_hide_or_mark_streamed_posts(served: Served) -> None:
    tokens = await members(served, "alice", "carol")
    await follows(served, "alice", "carol")
    for title, action, keyword in (("spoilers", "hide", "spoiler"), ("news", "warn", "election")):
        await call(
            served, tokens["alice"], "POST", "/api/v2/filters",
            {"title": title, "context": ["home"], "filter_action": action,
             "keywords_attributes": [{"keyword": keyword, "whole_word": True}]},
        )  # fmt: skip
    async with (
        sse(served.base, "/api/v1/streaming/user", tokens["alice"]) as home,
        sse(served.base, "/api/v1/streaming/public", tokens["alice"]) as public,
    ):
        await post(served, tokens["carol"], "a big spoiler")
        marked = await post(served, tokens["carol"], "election results")
        event = await home.next()
        assert event.json()["id"] == marked["id"]
        [result] = event.json()["filtered"]
        assert result["filter"]["title"] == "news"
        assert result["filter"]["filter_action"] == "warn"
        assert result["keyword_matches"] == ["election"]
        # The filters are for home only: the public stream shows both, unmarked.
        seen = [(await public.next()).json() for _ in range(2)]
        assert [s["content"] for s in seen] == ["<p>a big spoiler</p>", "<p>election results</p>"]
        assert all(s["filtered"] == [] for s in seen)


async def test_the_user_stream_carries_a_followed_tags_public_posts(served: Served) -> None:
    tokens = await members(served, "alice", "bob", "carol")
    followed = await call(served, tokens["alice"], "POST", "/api/v1/tags/rivers/follow")
    assert followed["following"] is True
    carol = await call(served, tokens["alice"], "GET", "/api/v1/accounts/lookup?acct=carol")
    await call(served, tokens["alice"], "POST", f"/api/v1/accounts/{carol['id']}/mute")
    async with sse(served.base, "/api/v1/streaming/user", tokens["alice"]) as stream:
        await post(served, tokens["bob"], "Unlisted #rivers", "unlisted")
        await post(served, tokens["bob"], "Followers only #rivers", "private")
        await post(served, tokens["bob"], "Another theme #lakes")
        await post(served, tokens["carol"], "Muted voice #rivers")
        shown = await post(served, tokens["bob"], "Flood warning #Rivers")
        event = await stream.next()
        assert (event.event, event.json()["id"]) == ("update", shown["id"])
        await call(served, tokens["bob"], "DELETE", f"/api/v1/statuses/{shown['id']}")
        gone = await stream.next()
        assert (gone.event, gone.data) == ("delete", shown["id"])
