"""Lists and the list and hashtag timelines as apps use them (Mastodon.py), and lists' error
paths over plain HTTP, another member's list included (404)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from fedi.accounts.members import add_member
from fedi.db import accounts
from fedi.relationships.relationships import unfollow
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.people import accepted_follow, account_id_of, remote_account, remote_post
from tests.api.tokens import bearer


def ids(statuses: list[Any]) -> list[str]:
    return [s["id"] for s in statuses]


async def members(served: Served, *names: str) -> dict[str, int]:
    found = {"alice": await account_id_of(served.context, "alice")}
    for name in names:
        await add_member(served.context, name, f"{name}-password")
        found[name] = await account_id_of(served.context, name)
    return found


async def test_a_list_gathers_followed_accounts_and_its_timeline_keeps_their_posts(
    served: Served,
) -> None:
    context = served.context
    who = await members(served, "bob", "carol", "dave")
    await accepted_follow(context, who["alice"], who["bob"])
    await accepted_follow(context, who["alice"], who["carol"])
    bob_post = await post_status(context, "bob", "bob writes")
    carol_post = await post_status(context, "carol", "carol writes")
    await post_status(context, "dave", "dave writes")

    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            seen: dict[str, Any] = {}
            made = client.list_create("Friends", replies_policy="list")
            seen["made"] = made
            seen["renamed"] = client.list_update(made["id"], "Close friends", exclusive=False)
            client.list_accounts_add(made["id"], [who["bob"], who["carol"]])
            with pytest.raises(MastodonAPIError) as refused:
                client.list_accounts_add(made["id"], [who["dave"]])  # not followed
            seen["refused"] = refused.value.args[1]
            seen["lists"] = client.lists()
            seen["accounts"] = client.list_accounts(made["id"])
            seen["bob_lists"] = client.account_lists(who["bob"])
            seen["dave_lists"] = client.account_lists(who["dave"])
            seen["timeline"] = client.timeline_list(made["id"])
            seen["home"] = client.timeline_home()
            client.list_update(made["id"], "Close friends", exclusive=True)
            seen["exclusive_home"] = client.timeline_home()
            seen["exclusive_list"] = client.timeline_list(made["id"])
            client.list_accounts_delete(made["id"], [who["carol"]])
            seen["after_removal"] = client.list_accounts(made["id"])
            return seen

    seen = await asyncio.to_thread(run)
    assert seen["made"]["title"] == "Friends"
    assert seen["made"]["replies_policy"] == "list"
    assert seen["made"]["exclusive"] is False
    assert seen["renamed"]["title"] == "Close friends"
    assert seen["refused"] == 422
    assert [x["title"] for x in seen["lists"]] == ["Close friends"]
    assert {a["id"] for a in seen["accounts"]} == {str(who["bob"]), str(who["carol"])}
    assert [x["id"] for x in seen["bob_lists"]] == [seen["made"]["id"]]
    assert seen["dave_lists"] == []
    assert ids(seen["timeline"]) == [str(carol_post.id), str(bob_post.id)]
    assert set(ids(seen["home"])) == {str(carol_post.id), str(bob_post.id)}
    assert seen["exclusive_home"] == []  # exclusive: their posts only in the list
    assert ids(seen["exclusive_list"]) == [str(carol_post.id), str(bob_post.id)]
    assert [a["id"] for a in seen["after_removal"]] == [str(who["bob"])]

    # Ending the follow takes the account off the list, as on Mastodon.
    async with context.db.read() as conn:
        bob = await accounts.get_by_id(conn, who["bob"])
    assert bob is not None
    await unfollow(context, "alice", bob)

    def after() -> tuple[Any, Any]:
        with logged_in(served.base) as client:
            listed = client.lists()[0]
            return client.list_accounts(listed["id"]), client.timeline_list(listed["id"])

    left, timeline = await asyncio.to_thread(after)
    assert left == [] and timeline == []


@pytest.mark.parametrize(
    ("policy", "shown"),
    [
        ("list", {"plain", "self", "to_alice", "to_carol"}),
        ("followed", {"plain", "self", "to_alice", "to_carol", "to_erin"}),
        ("none", {"plain", "self", "to_alice"}),
    ],
)
async def test_replies_policy_decides_which_replies_a_list_shows(
    served: Served, policy: str, shown: set[str]
) -> None:
    context = served.context
    who = await members(served, "bob", "carol", "dave", "erin")
    for name in ("bob", "carol", "erin"):
        await accepted_follow(context, who["alice"], who[name])
    root = {name: await post_status(context, name, f"{name} root") for name in who}
    posts = {"plain": await remote_post(context, who["bob"], "plain")}
    for key, target in (("self", "bob"), ("to_alice", "alice"), ("to_carol", "carol"),
                        ("to_dave", "dave"), ("to_erin", "erin")):  # fmt: skip
        posts[key] = await remote_post(
            context, who["bob"], key, in_reply_to_id=root[target].id,
            in_reply_to_account_id=who[target],
        )  # fmt: skip

    def run() -> list[Any]:
        with logged_in(served.base) as client:
            made = client.list_create("Bob and Carol", replies_policy=policy)
            client.list_accounts_add(made["id"], [who["bob"], who["carol"]])
            return list(client.timeline_list(made["id"], limit=40))

    timeline = await asyncio.to_thread(run)
    by_id = {str(v): k for k, v in posts.items()}
    assert {by_id[i] for i in ids(timeline) if i in by_id} == shown


async def test_list_errors_and_another_members_list_is_not_found(served: Served) -> None:
    context = served.context
    who = await members(served, "bob", "carol")
    await accepted_follow(context, who["alice"], who["bob"])
    await accepted_follow(context, who["alice"], who["carol"])
    async with httpx.AsyncClient(base_url=served.base) as http:
        alice = await bearer(http, "alice", "read write")
        reader = await bearer(http, "alice", "read:lists")
        bob = await bearer(http, "bob", "read write")
        assert (await http.get("/api/v1/lists")).status_code == 401
        assert (
            await http.post("/api/v1/lists", headers=reader, data={"title": "x"})
        ).status_code == 403
        for body in (
            {"title": ""},
            {"title": "x" * 1_000_000},
            {"title": "ok", "replies_policy": "all"},
        ):
            refused = await http.post("/api/v1/lists", headers=alice, json=body)
            assert refused.status_code == 422, body
            assert "error" in refused.json()
        made = await http.post(
            "/api/v1/lists/", headers=alice,
            data={"title": "Mine", "replies_policy": "followed", "exclusive": "true"},
        )  # fmt: skip
        assert made.status_code == 200
        assert made.json()["exclusive"] is True and made.json()["replies_policy"] == "followed"
        list_id = made.json()["id"]
        added = await http.post(
            f"/api/v1/lists/{list_id}/accounts", headers=alice,
            data={"account_ids[]": [str(who["bob"]), str(who["carol"])]},
        )  # fmt: skip
        assert added.status_code == 200
        unknown = await http.post(
            f"/api/v1/lists/{list_id}/accounts", headers=alice, json={"account_ids": ["999"]}
        )
        assert unknown.status_code == 404
        page = await http.get(f"/api/v1/lists/{list_id}/accounts?limit=1", headers=alice)
        assert [a["id"] for a in page.json()] == [str(who["carol"])]
        rest = await http.get(page.links["next"]["url"], headers=alice)
        assert [a["id"] for a in rest.json()] == [str(who["bob"])]
        everyone = await http.get(f"/api/v1/lists/{list_id}/accounts?limit=0", headers=alice)
        assert len(everyone.json()) == 2

        # Another member's list does not exist for bob (never 403: its existence stays hidden).
        attempts: list[tuple[str, str, dict[str, Any] | None]] = [
            ("GET", f"/api/v1/lists/{list_id}", None),
            ("PUT", f"/api/v1/lists/{list_id}", {"title": "taken"}),
            ("DELETE", f"/api/v1/lists/{list_id}", None),
            ("GET", f"/api/v1/lists/{list_id}/accounts", None),
            ("POST", f"/api/v1/lists/{list_id}/accounts", {"account_ids": [str(who["alice"])]}),
            ("DELETE", f"/api/v1/lists/{list_id}/accounts", {"account_ids": [str(who["bob"])]}),
            ("GET", f"/api/v1/timelines/list/{list_id}", None),
            ("GET", "/api/v1/lists/not-an-id", None),
        ]
        for method, path, payload in attempts:
            answer = await http.request(method, path, headers=bob, json=payload)
            assert answer.status_code == 404, (method, path)
            assert answer.json() == {"error": "Record not found"}
        assert (await http.get("/api/v1/lists", headers=bob)).json() == []
        still = await http.get(f"/api/v1/lists/{list_id}", headers=alice)
        assert still.json()["title"] == "Mine"
        assert len((await http.get(f"/api/v1/lists/{list_id}/accounts", headers=alice)).json()) == 2
        deleted = await http.delete(f"/api/v1/lists/{list_id}", headers=alice)
        assert deleted.status_code == 200
        assert (await http.get(f"/api/v1/lists/{list_id}", headers=alice)).status_code == 404


async def test_the_hashtag_timeline_is_public_and_takes_any_all_none(served: Served) -> None:
    context = served.context
    who = await members(served, "bob")
    remote = await remote_account(context, "mallory", "far.example")
    local = await post_status(context, "bob", "I like #Cats")
    both = await remote_post(context, remote, "cats and dogs", tags=("cats", "dogs"))
    dogs = await remote_post(context, remote, "dogs", tags=("dogs",))
    media = await remote_post(
        context, remote, "a picture", tags=("cats",), media_description="a cat"
    )
    await remote_post(context, remote, "quiet", tags=("cats",), visibility="unlisted")
    await remote_post(context, remote, "", reblog_of_id=both)

    async with httpx.AsyncClient(base_url=served.base) as http:

        async def tag(path: str, **params: Any) -> list[str]:
            answer = await http.get(f"/api/v1/timelines/tag/{path}", params=params)
            assert answer.status_code == 200, answer.text
            return ids(answer.json())

        assert await tag("cats") == [str(media), str(both), str(local.id)]
        assert await tag("CATS", local="true") == [str(local.id)]
        assert await tag("cats", remote="true") == [str(media), str(both)]
        assert await tag("cats", only_media="true") == [str(media)]
        assert await tag("cats", **{"all[]": "dogs"}) == [str(both)]
        assert await tag("cats", **{"none[]": "dogs"}) == [str(media), str(local.id)]
        assert await tag("cats", **{"any[]": "dogs"}) == [
            str(media),
            str(dogs),
            str(both),
            str(local.id),
        ]
        assert await tag("no-such tag!") == []
        paged = await http.get("/api/v1/timelines/tag/cats", params={"limit": 1})
        older = await http.get(paged.links["next"]["url"])
        assert ids(older.json()) == [str(both)]
        bad = await http.get(
            "/api/v1/timelines/tag/cats", headers={"Authorization": "Bearer nonsense"}
        )
        assert bad.status_code == 401

    def as_alice() -> tuple[list[Any], list[Any]]:
        with logged_in(served.base) as client:
            before = client.timeline_hashtag("cats")
            client.account_mute(remote)
            return before, client.timeline_hashtag("cats")

    before, after = await asyncio.to_thread(as_alice)
    assert ids(before) == [str(media), str(both), str(local.id)]
    assert ids(after) == [str(local.id)]
    assert who["bob"]


async def test_a_deleted_list_is_gone_for_mastodon_py(served: Served) -> None:
    def run() -> None:
        with logged_in(served.base) as client:
            made = client.list_create("Short-lived")
            client.list_delete(made["id"])
            client.list(made["id"])

    with pytest.raises(MastodonNotFoundError):
        await asyncio.to_thread(run)
