"""Mutes and user domain blocks as apps use them (Mastodon.py), and their wire format and error
paths over plain HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from mastodon import Mastodon

from fedi.accounts.members import add_member
from fedi.db import follows
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.people import accepted_follow, account_id_of, remote_account, remote_post
from tests.api.tokens import bearer


def ids(statuses: list[Any]) -> list[str]:
    return [s["id"] for s in statuses]


async def test_a_mute_hides_posts_boosts_and_notifications_until_lifted(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    await add_member(context, "carol", "carol-password")
    alice_id, bob_id = await account_id_of(context, "alice"), await account_id_of(context, "bob")
    await accepted_follow(context, alice_id, bob_id)
    await accepted_follow(context, alice_id, await account_id_of(context, "carol"))
    posted = await post_status(context, "bob", "Hello from bob")
    mention = await post_status(context, "bob", "@alice are you there?")
    boost = await remote_post(
        context, await account_id_of(context, "carol"), "", reblog_of_id=posted.id
    )
    carol_post = await post_status(context, "carol", "carol speaks")

    def run(client: Mastodon) -> dict[str, Any]:
        seen: dict[str, Any] = {"before": client.timeline_home()}
        seen["muted"] = client.account_mute(bob_id)
        seen["home"] = client.timeline_home()
        seen["public"] = client.timeline_public()
        seen["notifications"] = client.notifications()
        seen["mutes"] = client.mutes()
        seen["unmuted"] = client.account_unmute(bob_id)
        seen["after"] = client.timeline_home()
        seen["notifications_after"] = client.notifications()
        return seen

    def as_alice() -> dict[str, Any]:
        with logged_in(served.base) as client:
            return run(client)

    seen = await asyncio.to_thread(as_alice)
    everything = {str(posted.id), str(mention.id), str(boost), str(carol_post.id)}
    assert set(ids(seen["before"])) == everything
    assert seen["muted"]["muting"] is True
    assert seen["muted"]["muting_notifications"] is True
    assert ids(seen["home"]) == [str(carol_post.id)]  # bob's posts and the boost of one are gone
    assert ids(seen["public"]) == [str(carol_post.id)]
    assert [n for n in seen["notifications"] if n["account"]["id"] == str(bob_id)] == []
    assert [a["id"] for a in seen["mutes"]] == [str(bob_id)]
    assert seen["mutes"][0]["mute_expires_at"] is None
    assert seen["unmuted"]["muting"] is False
    assert set(ids(seen["after"])) == everything
    assert {
        n["type"] for n in seen["notifications_after"] if n["account"]["id"] == str(bob_id)
    } == {"mention"}

    # Anyone else still sees bob: mutes are private to the member.
    async with httpx.AsyncClient(base_url=served.base) as http:
        anonymous = (await http.get("/api/v1/timelines/public")).json()
    assert str(posted.id) in ids(anonymous)


async def test_a_mute_without_notifications_keeps_them_and_an_expired_mute_stops(
    served: Served,
) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    bob_id = await account_id_of(context, "bob")
    await accepted_follow(context, await account_id_of(context, "alice"), bob_id)
    posted = await post_status(context, "bob", "@alice hello")

    def mute_quietly() -> tuple[Any, Any, Any, Any]:
        with logged_in(served.base) as client:
            relationship = client.account_mute(bob_id, notifications=False, duration=3600)
            return relationship, client.notifications(), client.timeline_home(), client.mutes()

    relationship, notes, home, muted = await asyncio.to_thread(mute_quietly)
    assert relationship["muting"] is True
    assert relationship["muting_notifications"] is False
    assert [n["type"] for n in notes] == ["mention"]
    assert home == []
    assert muted[0]["mute_expires_at"] is not None

    # The mute runs out: it stops applying at once, without any job running.
    await context.db.write(
        lambda conn: conn.execute("UPDATE mutes SET expires_at = '2000-01-01T00:00:00+00:00'")
    )

    def after() -> tuple[Any, Any, Any]:
        with logged_in(served.base) as client:
            return client.account_relationships([bob_id])[0], client.timeline_home(), client.mutes()

    relationship, home, muted = await asyncio.to_thread(after)
    assert relationship["muting"] is False
    assert ids(home) == [str(posted.id)]
    assert muted == []


async def test_mute_errors_and_paging_over_http(served: Served) -> None:
    context = served.context
    others = []
    for name in ("bob", "carol", "dave"):
        await add_member(context, name, f"{name}-password")
        others.append(await account_id_of(context, name))
    alice_id = await account_id_of(context, "alice")
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read write follow")
        reader = await bearer(http, "alice", "read")
        granular = await bearer(http, "alice", "write:mutes read:mutes")
        assert (await http.post(f"/api/v1/accounts/{others[0]}/mute")).status_code == 401
        denied = await http.post(f"/api/v1/accounts/{others[0]}/mute", headers=reader)
        assert denied.status_code == 403
        assert "error" in denied.json()
        myself = await http.post(f"/api/v1/accounts/{alice_id}/mute", headers=auth)
        assert myself.status_code == 422
        bad = await http.post(
            f"/api/v1/accounts/{others[0]}/mute", headers=auth, json={"duration": "soon"}
        )
        assert bad.status_code == 422
        missing = await http.post("/api/v1/accounts/12345/mute", headers=auth)
        assert missing.status_code == 404
        for other in others:
            done = await http.post(
                f"/api/v1/accounts/{other}/mute/", headers=granular, json={"notifications": False}
            )
            assert done.status_code == 200
            assert done.json()["muting_notifications"] is False
        first = await http.get("/api/v1/mutes", params={"limit": 2}, headers=granular)
        assert [a["id"] for a in first.json()] == [str(others[2]), str(others[1])]
        next_url = first.links["next"]["url"]
        second = await http.get(next_url, headers=granular)
        assert [a["id"] for a in second.json()] == [str(others[0])]
        newer = await http.get(second.links["prev"]["url"], headers=granular)
        assert [a["id"] for a in newer.json()] == [str(others[2]), str(others[1])]


async def test_a_domain_block_hides_the_domain_and_ends_follows_both_ways(served: Served) -> None:
    context = served.context
    alice_id = await account_id_of(context, "alice")
    wolf = await remote_account(context, "wolf", "evil.example")
    dog = await remote_account(context, "dog", "evil.example")
    friend = await remote_account(context, "friend", "good.example")
    await accepted_follow(context, alice_id, wolf)
    await accepted_follow(context, alice_id, friend)
    await accepted_follow(context, dog, alice_id)
    howl = await remote_post(context, wolf, "howl")
    kind = await remote_post(context, friend, "a kind word")
    boosted = await remote_post(context, friend, "", reblog_of_id=howl)
    await context.db.write(
        lambda conn: conn.execute(
            "INSERT INTO notifications (id, account_id, type, from_account_id, created_at)"
            " VALUES (1, ?, 'follow', ?, '2024-01-01T00:00:00+00:00')",
            (alice_id, dog),
        )
    )

    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            seen: dict[str, Any] = {"before": client.timeline_home()}
            client.domain_block("EVIL.example.")
            seen["blocks"] = client.domain_blocks()
            seen["home"] = client.timeline_home()
            seen["notifications"] = client.notifications()
            seen["relationships"] = client.account_relationships([wolf, dog, friend])
            client.domain_unblock("evil.example")
            seen["unblocked"] = client.domain_blocks()
            return seen

    seen = await asyncio.to_thread(run)
    assert set(ids(seen["before"])) == {str(howl), str(kind), str(boosted)}
    assert seen["blocks"] == ["evil.example"]
    assert ids(seen["home"]) == [str(kind)]  # the post and its boost are gone
    assert seen["notifications"] == []
    wolf_rel, dog_rel, friend_rel = seen["relationships"]
    assert wolf_rel["domain_blocking"] and dog_rel["domain_blocking"]
    assert not friend_rel["domain_blocking"]
    assert not wolf_rel["following"] and not dog_rel["followed_by"]
    assert friend_rel["following"]
    assert seen["unblocked"] == []
    async with context.db.read() as conn:
        assert await follows.get_follow(conn, alice_id, wolf) is None
        assert await follows.get_follow(conn, dog, alice_id) is None
        cursor = await conn.execute("SELECT body FROM outbox_activities ORDER BY id")
        sent = [json.loads(row[0]) for row in await cursor.fetchall()]
    # As Mastodon: Undo{Follow} to the account we followed, Reject{Follow} to our follower.
    kinds = sorted((a["type"], a["object"]["type"]) for a in sent)
    assert kinds == [("Reject", "Follow"), ("Undo", "Follow")]


async def test_domain_block_validation_and_paging_over_http(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "follow")
        reader = await bearer(http, "alice", "read:blocks")
        own = served.base.split("://")[1]
        for domain in ("", "  ", "exa mple.org", "bad_domain!.org", own, "x" * 300):
            refused = await http.post(
                "/api/v1/domain_blocks", headers=auth, data={"domain": domain}
            )
            assert refused.status_code == 422, domain
            assert "error" in refused.json()
        assert (await http.post("/api/v1/domain_blocks", headers=auth)).status_code == 422
        denied = await http.post(
            "/api/v1/domain_blocks", headers=reader, data={"domain": "a.example"}
        )
        assert denied.status_code == 403
        for domain in ("one.example", "https://two.example/path", "Bücher.example"):
            done = await http.post("/api/v1/domain_blocks/", headers=auth, json={"domain": domain})
            assert done.status_code == 200
            assert done.json() == {}
        page = await http.get("/api/v1/domain_blocks", headers=reader, params={"limit": 2})
        assert page.json() == ["xn--bcher-kva.example", "two.example"]
        rest = await http.get(page.links["next"]["url"], headers=reader)
        assert rest.json() == ["one.example"]
        gone = await http.request(
            "DELETE", "/api/v1/domain_blocks", headers=auth, data={"domain": "two.example"}
        )
        assert gone.status_code == 200
        left = await http.get("/api/v1/domain_blocks", headers=reader)
        assert left.json() == ["xn--bcher-kva.example", "one.example"]
