"""The member's paged lists (bookmarks, favourites, blocks, follow requests, followers and
following) page by when things happened, with Link headers Mastodon.py follows; and the
features this server does not offer answer with empty lists apps can show."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from mastodon import MastodonNotFoundError

from fedi.accounts.members import add_member, get_member
from fedi.accounts.profiles import update_profile
from fedi.relationships.relationships import block, follow
from fedi.statuses.interactions import favourite
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served


def present(page: Any) -> Any:
    assert page is not None, "expected another page"
    return page


async def test_favourites_page_in_the_order_they_were_made(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    posts = [await post_status(context, "bob", f"post {n}") for n in range(5)]
    # Favourited in an order unlike the posts' own: the list follows the favourites.
    order = [posts[3], posts[0], posts[4], posts[1], posts[2]]
    for post in order:
        await favourite(context, "alice", post.id)

    def run() -> tuple[list[str], list[str], Any]:
        with logged_in(served.base) as client:
            first = client.favourites(limit=2)
            second = present(client.fetch_next(first))
            third = present(client.fetch_next(second))
            rest = client.fetch_next(third)
            seen = [s["id"] for page in (first, second, third) for s in page]
            back = present(client.fetch_previous(second))
            return seen, [s["id"] for s in back], rest

    seen, back, rest = await asyncio.to_thread(run)
    newest_first = [str(p.id) for p in reversed(order)]
    assert seen == newest_first
    assert back == newest_first[:2]
    assert not rest


async def test_bookmarks_page_with_link_headers(served: Served) -> None:
    context = served.context
    posts = [await post_status(context, "alice", f"note {n}") for n in range(3)]

    def run() -> tuple[list[str], list[str]]:
        with logged_in(served.base) as client:
            for post in (posts[1], posts[2], posts[0]):
                client.status_bookmark(post.id)
            first = client.bookmarks(limit=2)
            second = present(client.fetch_next(first))
            return [s["id"] for s in first], [s["id"] for s in second]

    first, second = await asyncio.to_thread(run)
    assert first == [str(posts[0].id), str(posts[2].id)]
    assert second == [str(posts[1].id)]


async def test_blocks_list(served: Served) -> None:
    context = served.context
    for name in ("bob", "carol", "dave"):
        user = await add_member(context, name, f"{name}-password")
        await block(context, "alice", user.account)

    def run() -> tuple[list[str], list[str], list[str]]:
        with logged_in(served.base) as client:
            first = client.blocks(limit=2)
            second = present(client.fetch_next(first))
            carol = client.account_lookup("carol")
            client.account_unblock(carol["id"])
            after = client.blocks()
            return (
                [a["acct"] for a in first],
                [a["acct"] for a in second],
                [a["acct"] for a in after],
            )

    first, second, after = await asyncio.to_thread(run)
    assert first == ["dave", "carol"]
    assert second == ["bob"]
    assert after == ["dave", "bob"]


async def test_followers_following_and_requests_are_paged(served: Served) -> None:
    context = served.context
    alice = (await get_member(context, "alice")).account
    fans = [await add_member(context, f"fan{n}", f"fan{n}-password") for n in range(4)]
    for fan in fans:
        await follow(context, fan.account.username, alice)
    await follow(context, "alice", fans[0].account)
    locked = await update_profile(context, "alice", locked=True)
    await add_member(context, "eve", "eve-password")
    await follow(context, "eve", locked.account)

    def run() -> tuple[list[str], list[str], list[str], list[str]]:
        with logged_in(served.base) as client:
            me = client.me()
            first = client.account_followers(me["id"], limit=3)
            second = present(client.fetch_next(first))
            following = client.account_following(me["id"])
            requests = client.follow_requests()
            return (
                [a["acct"] for a in first],
                [a["acct"] for a in second],
                [a["acct"] for a in following],
                [a["acct"] for a in requests],
            )

    first, second, following, requests = await asyncio.to_thread(run)
    assert first == ["fan3", "fan2", "fan1"]
    assert second == ["fan0"]
    assert following == ["fan0"]
    assert requests == ["eve"]


async def test_link_header_keeps_other_parameters_and_is_absolute(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    await follow(context, "bob", (await get_member(context, "alice")).account)
    async with httpx.AsyncClient(base_url=served.base) as http:
        me = (await http.get("/api/v1/accounts/lookup", params={"acct": "alice"})).json()
        page = await http.get(f"/api/v1/accounts/{me['id']}/followers", params={"limit": "1"})
        bad = await http.get(f"/api/v1/accounts/{me['id']}/followers", params={"max_id": "x"})
        missing = await http.get("/api/v1/accounts/999999/followers")
        huge = await http.get(f"/api/v1/accounts/{me['id']}/followers", params={"limit": "9" * 40})
    assert page.status_code == 200
    link = page.headers["link"]
    assert link.startswith(f"<{served.base}/api/v1/accounts/{me['id']}/followers?limit=1&max_id=")
    assert 'rel="next"' in link and 'rel="prev"' in link
    assert bad.status_code == 422 and "error" in bad.json()
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    assert huge.status_code == 200


async def test_lists_need_their_scopes(served: Served) -> None:
    def run() -> tuple[int, int]:
        with logged_in(served.base, ["read:statuses"]) as client:
            token = client.access_token
        with httpx.Client(base_url=served.base) as http:
            headers = {"Authorization": f"Bearer {token}"}
            blocks = http.get("/api/v1/blocks", headers=headers).status_code
            bookmarks = http.get("/api/v1/bookmarks", headers=headers).status_code
        return blocks, bookmarks

    assert await asyncio.to_thread(run) == (403, 403)
    async with httpx.AsyncClient(base_url=served.base) as http:
        assert (await http.get("/api/v1/blocks")).status_code == 401


async def test_absent_features_answer_empty(served: Served) -> None:
    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            me = client.me()
            return {
                "announcements": client.announcements(),
                "trending_tags": client.trending_tags(),
                "trending_statuses": client.trending_statuses(),
                "suggestions": client.suggestions(),
                "featured_tags": client.featured_tags(),
                "account_featured_tags": client.account_featured_tags(me["id"]),
                "rules": client.instance_rules(),
            }

    answers = await asyncio.to_thread(run)
    assert all(value == [] for value in answers.values()), answers
    async with httpx.AsyncClient(base_url=served.base) as http:
        languages = await http.get("/api/v1/instance/translation_languages")
        assert languages.status_code == 200 and languages.json() == {}
        unknown = await http.get("/api/v1/accounts/424242/featured_tags")
        assert unknown.status_code == 404
        assert (await http.get("/api/v1/announcements")).status_code == 401


async def test_featured_tags_of_a_missing_account_is_404_through_the_client(
    served: Served,
) -> None:
    def run() -> None:
        with logged_in(served.base) as client:
            client.account_featured_tags(987654321)

    try:
        await asyncio.to_thread(run)
    except MastodonNotFoundError:
        return
    raise AssertionError("expected a 404")
