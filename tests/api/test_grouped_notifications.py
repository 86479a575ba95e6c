"""Grouped notifications (Mastodon 4.3) through Mastodon.py as an app calls them: favourites and
boosts of one post and follows make groups, the rest stand alone; each account and status is
given once; one group, its accounts and dismissing it; paging with Link headers; the unread
counts after the notifications marker; and the plain list and the groups leave out the same
notifications."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from mastodon import MastodonAPIError

from fedi.accounts.members import add_member
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.tokens import bearer

FRIENDS = ("bob", "carol", "dave")


async def _with_friends(served: Served) -> None:
    for name in FRIENDS:
        await add_member(served.context, name, f"{name}-password")


def _act_on_alices_post(base: str) -> str:
    """bob, carol and dave favourite alice's post and follow her; bob boosts it and carol
    mentions her. The post's id."""
    with logged_in(base) as alice:
        post = alice.status_post("a post to group around")
        alice_id = alice.me()["id"]
    for name in FRIENDS:
        with logged_in(base, username=name) as friend:
            friend.status_favourite(post["id"])
            friend.account_follow(alice_id)
            if name == "bob":
                friend.status_reblog(post["id"])
            if name == "carol":
                friend.status_post("@alice hello")
    return str(post["id"])


async def test_favourites_boosts_and_follows_make_groups_and_the_rest_stand_alone(
    served: Served,
) -> None:
    await _with_friends(served)

    def run() -> dict[str, Any]:
        post_id = _act_on_alices_post(served.base)
        with logged_in(served.base) as alice:
            grouped = alice.grouped_notifications()  # partial_avatars, as Mastodon.py asks
            full = alice.grouped_notifications(expand_accounts="full")
            plain = alice.notifications()
            follow_key = next(
                g["group_key"] for g in full["notification_groups"] if g["type"] == "follow"
            )
            one = alice.grouped_notification(follow_key)
            senders = alice.grouped_notification_accounts(follow_key)
            alice.dismiss_grouped_notification(follow_key)
            after = alice.grouped_notifications()
            plain_after = alice.notifications()
        return locals()

    seen = await asyncio.to_thread(run)
    groups = {g["type"]: g for g in seen["full"]["notification_groups"]}
    assert [g["type"] for g in seen["full"]["notification_groups"]] == [
        "follow", "favourite", "mention", "reblog",
    ]  # fmt: skip
    favourites, follows = groups["favourite"], groups["follow"]
    assert favourites["notifications_count"] == 3 and follows["notifications_count"] == 3
    assert favourites["status_id"] == seen["post_id"]
    assert favourites["group_key"].startswith(f"favourite-{seen['post_id']}-")
    assert follows["group_key"].startswith("follow-") and follows.get("status_id") is None
    assert groups["reblog"]["notifications_count"] == 1
    assert groups["mention"]["group_key"] == f"ungrouped-{groups['mention']['page_max_id']}"
    full = seen["full"]
    by_id = {a["id"]: a["acct"] for a in full["accounts"]}
    assert [by_id[i] for i in follows["sample_account_ids"]] == ["dave", "carol", "bob"]
    assert sorted(by_id.values()) == ["bob", "carol", "dave"]  # each account once
    # The post once, for both of its groups; the mention's post too.
    assert sorted(s["id"] for s in full["statuses"]) == sorted(
        {seen["post_id"], groups["mention"]["status_id"]}
    )
    for group in full["notification_groups"]:
        assert {"page_min_id", "page_max_id", "latest_page_notification_at"} <= group.keys()
        assert group["most_recent_notification_id"] == group["page_max_id"]
    # partial_avatars: a group's newest sender in full, the others in part.
    partial = seen["grouped"]
    assert [a["acct"] for a in partial["accounts"]] == ["dave", "carol", "bob"]
    assert partial["partial_accounts"] == []
    # The plain list names the same groups.
    keys = {g["group_key"] for g in full["notification_groups"]}
    assert {n["group_key"] for n in seen["plain"]} == keys
    # One group, its accounts, and dismissing it.
    assert seen["one"]["notification_groups"][0]["notifications_count"] == 3
    assert seen["one"]["notification_groups"][0].get("page_min_id") is None  # not a page
    assert [a["acct"] for a in seen["senders"]] == ["dave", "carol", "bob"]
    assert "follow" not in [g["type"] for g in seen["after"]["notification_groups"]]
    assert "follow" not in [n["type"] for n in seen["plain_after"]]


async def test_groups_page_with_link_headers_and_filters(served: Served) -> None:
    await _with_friends(served)
    post_id = await asyncio.to_thread(_act_on_alices_post, served.base)
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read:notifications")
        first = await http.get("/api/v2/notifications?limit=2", headers=auth)
        assert first.status_code == 200
        assert "partial_accounts" not in first.json()  # only with partial_avatars
        heads = [g["type"] for g in first.json()["notification_groups"]]
        assert heads == ["follow", "favourite"]
        links = first.headers["link"]
        older = links.split(">")[0].lstrip("<")
        assert "max_id=" in older and "limit=2" in older
        second = await http.get(older, headers=auth)
        # Below the first page the follow group shows again, by its older part (Mastodon's
        # paging: apps merge a group's parts by its key).
        again = second.json()["notification_groups"]
        assert [(g["type"], g["notifications_count"]) for g in again] == [
            ("mention", 1), ("follow", 2),
        ]  # fmt: skip
        assert again[1]["group_key"] == first.json()["notification_groups"][0]["group_key"]
        newer = links.split(", ")[1].split(">")[0].lstrip("<")
        assert "min_id=" in newer
        assert (await http.get(newer, headers=auth)).json()["notification_groups"] == []
        # grouped_types: follows grouped, favourites each alone.
        follows_only = await http.get(
            "/api/v2/notifications?grouped_types[]=follow&types[]=favourite&types[]=follow",
            headers=auth,
        )
        kinds = [(g["type"], g["notifications_count"])
                 for g in follows_only.json()["notification_groups"]]  # fmt: skip
        assert kinds == [("follow", 3), ("favourite", 1), ("favourite", 1), ("favourite", 1)]
        excluded = await http.get(
            "/api/v2/notifications?exclude_types[]=favourite&exclude_types[]=follow",
            headers=auth,
        )
        assert [g["type"] for g in excluded.json()["notification_groups"]] == [
            "mention", "reblog",
        ]  # fmt: skip
        bob = (await http.get("/api/v1/accounts/lookup?acct=bob", headers=auth)).json()["id"]
        from_bob = await http.get(f"/api/v2/notifications?account_id={bob}", headers=auth)
        bob_groups = from_bob.json()["notification_groups"]
        assert [(g["type"], g["notifications_count"]) for g in bob_groups] == [
            ("reblog", 1), ("follow", 1), ("favourite", 1),
        ]  # fmt: skip
        assert all(g.get("status_id") in (None, post_id) for g in bob_groups)


async def test_unread_counts_follow_the_notifications_marker(served: Served) -> None:
    await _with_friends(served)
    await asyncio.to_thread(_act_on_alices_post, served.base)

    def run() -> dict[str, Any]:
        with logged_in(served.base) as alice:
            groups_before = alice.unread_grouped_notifications_count()
            plain_before = alice.notifications_unread_count()
            newest = alice.notifications(limit=1)[0]["id"]
            favourites = [n for n in alice.notifications() if n["type"] == "favourite"]
            alice.markers_set(["notifications"], [favourites[-1]["id"]])
            groups_after = alice.unread_grouped_notifications_count()
            plain_after = alice.notifications_unread_count()
            alice.markers_set(["notifications"], [newest])
            none_left = alice.unread_grouped_notifications_count()
        return locals()

    seen = await asyncio.to_thread(run)
    assert seen["groups_before"] == 4  # follow, mention, reblog, favourite
    assert seen["plain_before"]["count"] == 8
    # After the oldest favourite: two more favourites, three follows, a boost, a mention.
    assert seen["plain_after"]["count"] == 7
    assert seen["groups_after"] == 4
    assert seen["none_left"] == 0


async def test_the_list_and_the_groups_leave_out_the_same_senders_and_posts(
    served: Served,
) -> None:
    await _with_friends(served)
    await asyncio.to_thread(_act_on_alices_post, served.base)

    def run() -> dict[str, Any]:
        with logged_in(served.base) as alice:
            carol = alice.account_lookup("carol")
            alice.account_mute(carol["id"], notifications=True)
            alice.create_filter_v2(
                "Quiet", ["notifications"], "hide", keywords_attributes=[{"keyword": "hello"}]
            )
            grouped = alice.grouped_notifications(expand_accounts="full")
            plain = alice.notifications()
        return locals()

    seen = await asyncio.to_thread(run)
    groups = {g["type"]: g for g in seen["grouped"]["notification_groups"]}
    assert "mention" not in groups and "mention" not in [n["type"] for n in seen["plain"]]
    assert groups["favourite"]["notifications_count"] == 2  # carol's is hidden
    accounts = {a["id"]: a["acct"] for a in seen["grouped"]["accounts"]}
    assert "carol" not in accounts.values()
    assert [accounts[i] for i in groups["follow"]["sample_account_ids"]] == ["dave", "bob"]
    plain = [(n["type"], n["account"]["acct"]) for n in seen["plain"]]
    assert ("favourite", "carol") not in plain and ("follow", "carol") not in plain
    assert {n["group_key"] for n in seen["plain"]} == set(
        g["group_key"] for g in seen["grouped"]["notification_groups"]
    )


async def test_bad_parameters_and_scopes_answer_json_errors(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read:notifications")
        statuses_only = await bearer(http, "alice", "read:statuses")
        answers = {
            "expand": await http.get("/api/v2/notifications?expand_accounts=all", headers=auth),
            "max_id": await http.get("/api/v2/notifications?max_id=abc", headers=auth),
            "scope": await http.get("/api/v2/notifications", headers=statuses_only),
            "no_token": await http.get("/api/v2/notifications/unread_count"),
            "unknown": await http.get("/api/v2/notifications/favourite-1-2", headers=auth),
            "bad_key": await http.get("/api/v2/notifications/ungrouped-x", headers=auth),
            "long_key": await http.get(f"/api/v2/notifications/{'a' * 5000}", headers=auth),
            "dismiss": await http.post("/api/v2/notifications/follow-1/dismiss", headers=auth),
        }
    expected = {"expand": 400, "max_id": 422, "scope": 403, "no_token": 401, "unknown": 404,
                "bad_key": 404, "long_key": 404, "dismiss": 403}  # fmt: skip
    assert {k: r.status_code for k, r in answers.items()} == expected
    assert all("error" in r.json() for r in answers.values())


async def test_policy_and_requests_answer_as_a_server_holding_nothing_back(
    served: Served,
) -> None:
    def run() -> dict[str, Any]:
        with logged_in(served.base) as alice:
            policy = alice.notifications_policy()
            kept = alice.update_notifications_policy(for_not_following="accept")
            try:
                alice.update_notifications_policy(for_not_following="filter")
                refused = None
            except MastodonAPIError as exc:
                refused = exc.args[1]
            requests = list(alice.notification_requests())
            merged = alice.notifications_merged()
        return locals()

    seen = await asyncio.to_thread(run)
    assert seen["policy"]["for_not_following"] == "accept"
    assert seen["policy"]["summary"] == {"pending_requests_count": 0,
                                         "pending_notifications_count": 0}  # fmt: skip
    assert seen["kept"]["for_not_following"] == "accept"
    assert seen["refused"] == 422
    assert seen["requests"] == [] and seen["merged"] is True


async def test_the_server_reports_mastodon_4_3_and_its_api_version_everywhere(
    served: Served,
) -> None:
    def run() -> dict[str, Any]:
        with logged_in(served.base) as alice:
            version = (alice.mastodon_major, alice.mastodon_minor, alice.mastodon_patch)
            api_version = alice.mastodon_api_version
            grouped_ok = alice.verify_minimum_version("4.3.0", cached=True)
        return locals()

    seen = await asyncio.to_thread(run)
    assert seen["version"] == (4, 3, 0) and seen["api_version"] == 2 and seen["grouped_ok"]
    async with httpx.AsyncClient(base_url=served.base) as http:
        v1 = (await http.get("/api/v1/instance")).json()
        v2 = (await http.get("/api/v2/instance")).json()
        nodeinfo = (await http.get("/nodeinfo/2.0")).json()
    assert v1["version"] == v2["version"] and v2["version"].startswith("4.3.0 (compatible; ")
    assert v2["api_versions"] == {"mastodon": 2}
    assert nodeinfo["metadata"]["upstream"]["version"] == "4.3.0"
    assert v2["version"].endswith(f"fedi {nodeinfo['software']['version']})")
