"""Followed hashtags through the client API, as Mastodon answers them: Mastodon.py follows and
unfollows a tag, the Tag entity says `following` to a signed-in caller, /api/v1/followed_tags
pages with Link headers, and a followed tag's public posts (from anyone, but nothing the member
hides, nothing followers-only, direct or boosted) come into the home timeline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from fedi.accounts.members import add_member, get_member
from fedi.relationships.muting import block_domain
from fedi.statuses.interactions import boost
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.people import remote_account, remote_post
from tests.api.streams import password_token
from tests.api.test_paged_lists import present
from tests.api.test_private_group_posts import call, copy_of, ids, world


async def test_follow_and_unfollow_a_tag_with_mastodon_py(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    shown = await post_status(context, "bob", "Tree planting on Sunday #Climate")
    await post_status(context, "bob", "Quiet #climate note", visibility="unlisted")
    await post_status(context, "bob", "For my followers #climate", visibility="private")
    await post_status(context, "bob", "Nothing to do with it #weather")

    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            before = client.tag("climate")
            home_before = client.timeline_home()
            followed = client.tag_follow("Climate")
            listed = client.followed_tags()
            home = client.timeline_home()
            unfollowed = client.tag_unfollow("climate")
            return {
                "before": before, "home_before": home_before, "followed": followed,
                "listed": listed, "home": home, "unfollowed": unfollowed,
                "listed_after": client.followed_tags(), "home_after": client.timeline_home(),
                "again": client.tag_unfollow("climate"),
            }  # fmt: skip

    seen = await asyncio.to_thread(run)
    assert seen["before"]["name"] == "climate" and seen["before"]["following"] is False
    assert seen["home_before"] == []
    assert seen["followed"]["name"] == "climate" and seen["followed"]["following"] is True
    assert seen["followed"]["url"] == f"{served.base}/tags/climate"
    assert [t["name"] for t in seen["listed"]] == ["climate"]
    assert seen["listed"][0]["following"] is True
    # Only the public post comes home: Mastodon fans out a tag's public posts alone.
    assert [s["id"] for s in seen["home"]] == [str(shown.id)]
    assert seen["unfollowed"]["following"] is False
    assert seen["listed_after"] == [] and seen["home_after"] == []
    assert seen["again"]["following"] is False  # unfollowing twice is no error


async def test_the_tag_entity_counts_a_week_of_use(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    await post_status(context, "bob", "One #Solidarity")
    await post_status(context, "bob", "Two #solidarity")
    await post_status(context, "alice", "Three #solidarity")
    await post_status(context, "bob", "Unlisted #solidarity", visibility="unlisted")
    async with httpx.AsyncClient(base_url=served.base) as http:
        answer = await http.get("/api/v1/tags/%23Solidarity")
    assert answer.status_code == 200
    body = answer.json()
    assert "following" not in body  # nobody signed in asks
    assert body["name"] == "solidarity"
    assert len(body["history"]) == 7
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert body["history"][0] == {
        "day": str(int(today.timestamp())), "accounts": "2", "uses": "3",
    }  # fmt: skip
    assert all(day["uses"] == "0" for day in body["history"][1:])
    days = [int(day["day"]) for day in body["history"]]
    assert days == sorted(days, reverse=True) and days[0] - days[1] == 86400


async def test_bad_names_tokens_and_scopes_answer_as_mastodon(served: Served) -> None:
    token = await password_token(served.base)
    read_only = await password_token(served.base, scope="read")
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=served.base) as http:
        for bad in ("a-b", "x" * 101, "%00", "%F0%9F%98%80"):
            for method, path in (("GET", f"/api/v1/tags/{bad}"),
                                 ("POST", f"/api/v1/tags/{bad}/follow"),
                                 ("POST", f"/api/v1/tags/{bad}/unfollow")):  # fmt: skip
                answer = await http.request(method, path, headers=auth)
                assert answer.status_code == 404, (method, path)
                assert answer.json() == {"error": "Record not found"}
        anonymous = await http.post("/api/v1/tags/climate/follow")
        assert anonymous.status_code == 401 and "error" in anonymous.json()
        assert (await http.get("/api/v1/followed_tags")).status_code == 401
        refused = await http.post(
            "/api/v1/tags/climate/follow", headers={"Authorization": f"Bearer {read_only}"}
        )
        assert refused.status_code == 403
        assert refused.json() == {"error": "This action is outside the authorized scopes"}
        listed = await http.get(
            "/api/v1/followed_tags", headers={"Authorization": f"Bearer {read_only}"}
        )
        assert listed.status_code == 200 and listed.json() == []
        bad_cursor = await http.get("/api/v1/followed_tags?max_id=abc", headers=auth)
        assert bad_cursor.status_code == 422 and "error" in bad_cursor.json()


async def test_followed_tags_page_with_link_headers(served: Served) -> None:
    def run() -> tuple[list[str], list[str], Any, list[str]]:
        with logged_in(served.base) as client:
            for name in ("one", "two", "three", "four", "five"):
                client.tag_follow(name)
            first = client.followed_tags(limit=2)
            second = present(client.fetch_next(first))
            third = present(client.fetch_next(second))
            rest = client.fetch_next(third)
            back = present(client.fetch_previous(second))
            seen = [t["name"] for page in (first, second, third) for t in page]
            return seen, [t["name"] for t in back], rest, [t["name"] for t in second]

    seen, back, rest, second = await asyncio.to_thread(run)
    assert seen == ["five", "four", "three", "two", "one"]  # the latest followed first
    assert back == ["five", "four"]
    assert not rest
    assert second == ["three", "two"]


async def test_home_leaves_out_what_the_member_hides_and_what_is_not_public(
    served: Served,
) -> None:
    context = served.context
    alice = await get_member(context, "alice")
    await add_member(context, "bob", "bob-password")
    await add_member(context, "cara", "cara-password")
    await add_member(context, "dan", "dan-password")
    rita = await remote_account(context, "rita", "coast.example")
    olga = await remote_account(context, "olga", "blocked.example")
    await block_domain(context, alice, "blocked.example")
    local = await post_status(context, "bob", "Local #rivers")
    boosted = await boost(context, "dan", local.id)
    remote = await remote_post(context, rita, "From the coast #rivers", tags=("rivers",))
    await remote_post(context, olga, "From a blocked server #rivers", tags=("rivers",))
    await remote_post(context, rita, "Direct #rivers", tags=("rivers",), visibility="direct")
    token = await password_token(served.base)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=served.base) as http:
        followed = await http.post("/api/v1/tags/rivers/follow", headers=auth)
        assert followed.status_code == 200 and followed.json()["following"] is True
        cara = (await http.get("/api/v1/accounts/lookup?acct=cara")).json()["id"]
        muted = await http.post(f"/api/v1/accounts/{cara}/mute", headers=auth)
        assert muted.status_code == 200
        await post_status(context, "cara", "Muted voice #rivers")
        home = (await http.get("/api/v1/timelines/home", headers=auth)).json()
    assert [s["id"] for s in home] == [str(remote), str(local.id)]
    assert str(boosted.id) not in {s["id"] for s in home}


async def test_a_private_groups_posts_never_come_home_through_a_tag(served: Served) -> None:
    tokens = await world(served)  # alice and amy in the private group casework; nick is not
    for name in ("nick", "amy"):
        async with httpx.AsyncClient(base_url=served.base) as http:
            followed = await http.post(
                "/api/v1/tags/evidence/follow", headers={"Authorization": f"Bearer {tokens[name]}"}
            )
        assert followed.status_code == 200
    posted = await call(
        served, tokens["alice"], "POST", "/api/v1/statuses",
        status="@casework Case notes #evidence", visibility="public",
    )  # fmt: skip
    assert posted.status_code == 200 and posted.json()["visibility"] == "direct"
    copy = await copy_of(served, posted.json()["id"])
    local_only = await post_status(
        served.context, "olga", "Members here #evidence", local_only=True
    )
    nick_home = ids(await call(served, tokens["nick"], "GET", "/api/v1/timelines/home"))
    assert nick_home == [str(local_only.id)]  # a member of this server sees local-only posts
    # amy reads the group's copy as a member of the group, never the submission.
    amy_home = ids(await call(served, tokens["amy"], "GET", "/api/v1/timelines/home"))
    assert posted.json()["id"] not in amy_home and str(copy.id) in amy_home
