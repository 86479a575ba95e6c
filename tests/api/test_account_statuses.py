"""An account's posts as a signed-in member sees them: with their own favourites marked and
their `account`-context filters applied; anonymously, with neither."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from fedi.accounts.members import add_member
from fedi.groups.groups import create_group
from fedi.statuses.interactions import boost, favourite
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.testrig.groups import join


async def test_account_statuses_carry_the_viewers_state_and_filters(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    liked = await post_status(served.context, "bob", "a fine day")
    await post_status(served.context, "bob", "the match spoiler")
    await favourite(served.context, "alice", liked.id)

    def run() -> tuple[list[Any], Any]:
        with logged_in(served.base) as client:
            client.create_filter_v2(
                "spoilers", ["account"], filter_action="hide",
                keywords_attributes=[{"keyword": "spoiler"}],
            )  # fmt: skip
            bob = client.account_lookup("bob")
            return list(client.account_statuses(bob["id"])), bob["id"]

    seen, bob_id = await asyncio.to_thread(run)
    assert [(s["content"], s["favourited"]) for s in seen] == [("<p>a fine day</p>", True)]
    async with httpx.AsyncClient(base_url=served.base) as http:
        anonymous = (await http.get(f"/api/v1/accounts/{bob_id}/statuses")).json()
        bad = await http.get(
            f"/api/v1/accounts/{bob_id}/statuses", headers={"Authorization": "Bearer nope"}
        )
    assert [(s["content"], s["favourited"]) for s in anonymous] == [
        ("<p>the match spoiler</p>", False),
        ("<p>a fine day</p>", False),
    ]
    assert bad.status_code == 401


async def test_an_accounts_statuses_include_its_boosts_unless_excluded(served: Served) -> None:
    """As Mastodon: a public group's profile is its boosts of its members' posts, and a
    member's profile carries what they boosted; exclude_reblogs=true leaves boosts out."""
    await add_member(served.context, "bob", "bob-password")
    await create_group(served.context, "forum", "bob")
    await join(served.context, "forum", served.context, "alice")
    shared = await post_status(served.context, "alice", "@forum minutes of the meeting")
    own = await post_status(served.context, "bob", "an ordinary post")
    await boost(served.context, "bob", shared.id)

    def run() -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        with logged_in(served.base) as client:
            forum = client.account_lookup("forum")["id"]
            bob = client.account_lookup("bob")["id"]
            return (
                list(client.account_statuses(forum)),
                list(client.account_statuses(forum, exclude_reblogs=True)),
                list(client.account_statuses(bob)),
                list(client.account_statuses(bob, exclude_reblogs=True)),
            )

    forum_all, forum_own, bob_all, bob_own = await asyncio.to_thread(run)
    assert [s["reblog"]["id"] for s in forum_all] == [str(shared.id)]
    assert forum_all[0]["account"]["acct"] == "forum" and forum_all[0]["reblog"]["content"]
    assert forum_own == []
    assert [(s["reblog"] or {}).get("id", s["id"]) for s in bob_all] == [
        str(shared.id),
        str(own.id),
    ]
    assert [s["id"] for s in bob_own] == [str(own.id)]
    async with httpx.AsyncClient(base_url=served.base) as http:
        anonymous = await http.get(f"/api/v1/accounts/{forum_all[0]['account']['id']}/statuses")
    assert [s["reblog"]["id"] for s in anonymous.json()] == [str(shared.id)]
