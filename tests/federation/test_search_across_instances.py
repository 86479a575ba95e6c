"""Search across two instances through Mastodon.py: a member of A finds a member of B by
handle (WebFinger) and then by the start of the name; B's posts that reach A are found by their
words, a followers-only one only by B's follower; an edit sent as Update is found by its new
words alone, a Delete takes the post out of every search."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fedi.accounts.members import add_member
from tests.federation.test_api_across_instances import app_for
from tests.testrig.instances import federation, settle


def texts(found: dict[str, Any]) -> list[str]:
    return [s["content"] for s in found["statuses"]]


async def test_remote_people_and_posts_are_found(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        for name in ("alice", "carol"):
            await add_member(a.ctx, name, f"{name}-password")
        await add_member(b.ctx, "bob", "bob-password")
        handle = b.handle("bob")

        def alice_finds_and_follows_bob() -> dict[str, list[str]]:
            with app_for(a, "alice") as alice:
                unknown = alice.search_v2("bo", resolve=False)["accounts"]
                by_handle = alice.search_v2(handle, resolve=True)["accounts"]
                alice.account_follow(by_handle[0]["id"])
                return {
                    "unknown": [x["acct"] for x in unknown],
                    "handle": [x["acct"] for x in by_handle],
                    "bo": [x["acct"] for x in alice.search_v2("bo", resolve=False)["accounts"]],
                    "@bob": [x["acct"] for x in alice.account_search("@bob")],
                }

        people = await asyncio.to_thread(alice_finds_and_follows_bob)
        acct = handle.removeprefix("@")
        assert people == {"unknown": [], "handle": [acct], "bo": [acct], "@bob": [acct]}
        await settle(a, b)

        def bob_posts() -> tuple[Any, Any]:
            with app_for(b, "bob") as bob:
                public = bob.status_post("Swimming across the estuary")
                private = bob.status_post(
                    "Followers learn of the estuary ferry", visibility="private"
                )
                return public, private

        public, _ = await asyncio.to_thread(bob_posts)
        await settle(a, b)

        def search(name: str, q: str) -> list[str]:
            with app_for(a, name) as client:
                return texts(client.search_v2(q, resolve=False, result_type="statuses"))

        assert len(await asyncio.to_thread(search, "alice", "estuary")) == 2
        assert len(await asyncio.to_thread(search, "carol", "estuary")) == 1
        assert await asyncio.to_thread(search, "carol", "ferry") == []

        def bob_edits_then_deletes(delete: bool) -> None:
            with app_for(b, "bob") as bob:
                if delete:
                    bob.status_delete(public["id"])
                else:
                    bob.status_update(public["id"], "Rowing up the river")

        await asyncio.to_thread(bob_edits_then_deletes, False)
        await settle(a, b)
        assert await asyncio.to_thread(search, "carol", "swimming") == []
        assert len(await asyncio.to_thread(search, "carol", "rowing river")) == 1
        await asyncio.to_thread(bob_edits_then_deletes, True)
        await settle(a, b)
        assert await asyncio.to_thread(search, "alice", "rowing") == []
