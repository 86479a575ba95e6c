"""A member's own domain block across two instances, through the client API only: follows end in
both directions on both servers (Undo{Follow} and Reject{Follow}, as Mastodon sends), and the
blocked server's posts leave the member's timelines."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fedi.accounts.members import add_member
from tests.federation.test_api_across_instances import app_for
from tests.testrig.instances import federation, settle


async def test_blocking_a_domain_ends_follows_both_ways_and_hides_its_posts(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")

        def alice_follows_bob() -> None:
            with app_for(a, "alice") as alice:
                found = alice.search_v2(b.handle("bob"), resolve=True)["accounts"]
                alice.account_follow(found[0]["id"])

        def bob_follows_alice() -> None:
            with app_for(b, "bob") as bob:
                found = bob.search_v2(a.handle("alice"), resolve=True)["accounts"]
                bob.account_follow(found[0]["id"])

        await asyncio.to_thread(alice_follows_bob)
        await asyncio.to_thread(bob_follows_alice)
        await settle(a, b)

        def bob_posts(text: str) -> Any:
            with app_for(b, "bob") as bob:
                return bob.status_post(text)

        first = await asyncio.to_thread(bob_posts, "Before the block")
        await settle(a, b)

        def alice_blocks() -> tuple[Any, Any, Any]:
            with app_for(a, "alice") as alice:
                bob_id = alice.account_lookup(b.handle("bob"))["id"]
                before = alice.account_relationships([bob_id])[0]
                home = alice.timeline_home()
                alice.domain_block(b.domain)
                return before, home, alice.account_relationships([bob_id])[0]

        before, home_before, after = await asyncio.to_thread(alice_blocks)
        assert before["following"] and before["followed_by"]
        assert [s["uri"] for s in home_before] == [first["uri"]]
        assert not after["following"] and not after["followed_by"]
        assert after["domain_blocking"] is True
        await settle(a, b)

        def bob_sees() -> Any:
            with app_for(b, "bob") as bob:
                alice_id = bob.account_lookup(a.handle("alice"))["id"]
                return bob.account_relationships([alice_id])[0]

        seen_from_b = await asyncio.to_thread(bob_sees)
        assert not seen_from_b["following"] and not seen_from_b["followed_by"]

        await asyncio.to_thread(bob_posts, "After the block")
        await settle(a, b)

        def alice_reads() -> tuple[Any, Any, Any]:
            with app_for(a, "alice") as alice:
                return alice.timeline_home(), alice.timeline_public(), alice.domain_blocks()

        home, public, blocks = await asyncio.to_thread(alice_reads)
        assert home == [] and public == []
        assert blocks == [b.domain]
