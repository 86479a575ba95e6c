"""An instance suspending another's domain, across two real instances: the follows between them
end both ways (as the blocking instance's API shows them), the blocked instance's later
deliveries are refused with 403, and its posts are no longer shown."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from mastodon import MastodonAPIError

from fedi.accounts.members import add_member
from fedi.db.domain_rules import BlockFields
from fedi.moderation.domain_rules import block_domain
from fedi.statuses.posting import post_status
from tests.federation.test_allowlist import follow_each_other, home_texts
from tests.federation.test_api_across_instances import app_for
from tests.testrig.instances import federation, settle


async def test_suspending_a_domain_ends_follows_both_ways_and_refuses_its_deliveries(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await asyncio.to_thread(follow_each_other, a, b, "alice", "bob")
        await settle(a, b)
        await post_status(b.ctx, "bob", "before the block")
        await settle(a, b)

        def relationship() -> Any:
            with app_for(a, "alice") as alice:
                bob_id = alice.account_lookup(b.handle("bob"))["id"]
                return alice.account_relationships([bob_id])[0]

        before = await asyncio.to_thread(relationship)
        assert before["following"] and before["followed_by"]
        assert any("before the block" in t for t in await asyncio.to_thread(home_texts, a, "alice"))

        await block_domain(a.ctx, None, b.domain, BlockFields(severity="suspend"))
        after = await asyncio.to_thread(relationship)
        assert not after["following"] and not after["followed_by"] and not after["requested"]
        assert await asyncio.to_thread(home_texts, a, "alice") == []

        # Lookups and follows of the blocked domain: clear answers, and no Follow is sent.
        requests_before = len(b.received)

        def alice_tries() -> tuple[Any, Any, int]:
            with app_for(a, "alice") as alice:
                bob_id = alice.account_lookup(b.handle("bob"))["id"]
                by_handle = alice.search_v2(b.handle("bob"), resolve=True)
                by_url = alice.search_v2(f"{b.base}/users/bob", resolve=True)
                try:
                    alice.account_follow(bob_id)
                except MastodonAPIError as exc:
                    return by_handle, by_url, int(exc.args[1])
                return by_handle, by_url, 200

        by_handle, by_url, follow_status = await asyncio.to_thread(alice_tries)
        assert by_handle["accounts"] == [] and by_url["statuses"] == []
        assert follow_status == 422
        assert len(b.received) == requests_before

        # Bob's server still believes alice follows bob: its delivery is refused, for good.
        await post_status(b.ctx, "bob", "after the block")
        await settle(a, b)
        async with b.ctx.db.read() as conn:
            cursor = await conn.execute(
                "SELECT state, last_error FROM deliveries WHERE host = ? ORDER BY id", (a.domain,)
            )
            rows = [tuple(r) for r in await cursor.fetchall()]
        assert rows[-1] == ("failed", "HTTP 403")
        assert await asyncio.to_thread(home_texts, a, "alice") == []

        # And alice's server sends bob's nothing more.
        received = len(b.received)
        await post_status(a.ctx, "alice", "to nobody there")
        await settle(a, b)
        assert len(b.received) == received
