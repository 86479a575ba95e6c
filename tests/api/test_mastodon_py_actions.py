"""The rest of the daily actions as an app makes them through Mastodon.py: undoing favourites,
boosts, pins, follows and blocks; answering follow requests; who favourited or boosted;
dismissing and clearing notifications; checking and revoking the app's own token."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from mastodon import MastodonUnauthorizedError

from fedi.accounts.members import add_member
from fedi.accounts.profiles import update_profile
from tests.api.clients import logged_in
from tests.api.conftest import Served


async def test_undo_every_status_action(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")

    def run() -> dict[str, Any]:
        with logged_in(served.base, username="bob") as bob:
            post = bob.status_post("a post to act on")
        with logged_in(served.base) as alice:
            alice.status_favourite(post["id"])
            boost = alice.status_reblog(post["id"])
            favourited_by = alice.status_favourited_by(post["id"])
            reblogged_by = alice.status_reblogged_by(post["id"])
            unfavourited = alice.status_unfavourite(post["id"])
            unboosted = alice.status_unreblog(post["id"])
            after = alice.status(post["id"])
            mine = alice.status_post("pin me")
            pinned = alice.status_pin(mine["id"])
            unpinned = alice.status_unpin(mine["id"])
            me = alice.me()
            pins = alice.account_statuses(me["id"], pinned=True)
        return locals()

    seen = await asyncio.to_thread(run)
    assert seen["boost"]["reblog"]["id"] == seen["post"]["id"]
    # Both the boost and the boosted post say the member boosted it, as Mastodon answers.
    assert seen["boost"]["reblogged"] is True and seen["boost"]["reblog"]["reblogged"] is True
    assert [a["acct"] for a in seen["favourited_by"]] == ["alice"]
    assert [a["acct"] for a in seen["reblogged_by"]] == ["alice"]
    assert seen["unfavourited"]["favourited"] is False
    assert seen["unboosted"]["reblogged"] is False
    assert seen["after"]["favourites_count"] == 0 and seen["after"]["reblogs_count"] == 0
    assert seen["pinned"]["pinned"] is True and seen["unpinned"]["pinned"] is False
    assert list(seen["pins"]) == []


async def test_follow_requests_answered_and_relationships_undone(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    await add_member(served.context, "carol", "carol-password")
    await update_profile(served.context, "alice", locked=True)

    def run() -> dict[str, Any]:
        with logged_in(served.base, username="bob") as bob:
            alice_id = bob.account_lookup("alice")["id"]
            asked = bob.account_follow(alice_id)
        with logged_in(served.base, username="carol") as carol:
            carol.account_follow(alice_id)
        with logged_in(served.base) as alice:
            waiting = [a["acct"] for a in alice.follow_requests()]
            bob_id = alice.account_lookup("bob")["id"]
            carol_id = alice.account_lookup("carol")["id"]
            accepted = alice.follow_request_authorize(bob_id)
            rejected = alice.follow_request_reject(carol_id)
            left = list(alice.follow_requests())
            followers = [a["acct"] for a in alice.account_followers(alice.me()["id"])]
            blocked = alice.account_block(bob_id)
            after_block = [a["acct"] for a in alice.account_followers(alice.me()["id"])]
            unblocked = alice.account_unblock(bob_id)
            following = alice.account_follow(carol_id)
            unfollowed = alice.account_unfollow(carol_id)
        return locals()

    seen = await asyncio.to_thread(run)
    assert seen["asked"]["requested"] is True and seen["asked"]["following"] is False
    assert sorted(seen["waiting"]) == ["bob", "carol"]
    assert seen["accepted"]["followed_by"] is True
    assert seen["rejected"]["requested_by"] is False
    assert seen["left"] == []
    assert seen["followers"] == ["bob"]
    assert seen["blocked"]["blocking"] is True and seen["after_block"] == []
    assert seen["unblocked"]["blocking"] is False
    assert seen["following"]["following"] is True
    assert seen["unfollowed"]["following"] is False


async def test_dismiss_and_clear_notifications(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")

    def run() -> tuple[list[str], list[str], list[Any]]:
        with logged_in(served.base, username="bob") as bob:
            for n in range(3):
                bob.status_post(f"@alice note {n}")
        with logged_in(served.base) as alice:
            first = alice.notifications()
            alice.notifications_dismiss(first[0]["id"])
            after_dismiss = alice.notifications()
            alice.notifications_clear()
            return (
                [n["id"] for n in first],
                [n["id"] for n in after_dismiss],
                list(alice.notifications()),
            )

    first, after_dismiss, cleared = await asyncio.to_thread(run)
    assert len(first) == 3
    assert after_dismiss == first[1:]
    assert cleared == []


async def test_app_checks_and_revokes_its_token(served: Served) -> None:
    def run() -> tuple[Any, Any, int]:
        with logged_in(served.base) as alice:
            app = alice.app_verify_credentials()
            token = alice.access_token
            alice.revoke_access_token(allow_http=True)
            with pytest.raises(MastodonUnauthorizedError):
                alice.account_verify_credentials()
        with httpx.Client(base_url=served.base) as http:
            answer = http.get(
                "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}
            )
        return app, answer.json(), answer.status_code

    app, body, status = await asyncio.to_thread(run)
    assert app["name"] == "fedi tests"
    assert status == 401 and "error" in body
