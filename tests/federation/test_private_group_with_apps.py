"""A confidential project space as members live it, through their Mastodon apps only
(Mastodon.py): a member of B finds A's private group, asks to join, is approved by a moderator,
posts with whatever visibility the app picked, and the post reaches the group's members on A and
B and nobody else: not a non-member on A, not a follower of the author on B, not C."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fedi.accounts.members import add_member
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts
from fedi.db import groups as group_rows
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from tests.federation.test_api_across_instances import app_for
from tests.testrig.groups import approve_join
from tests.testrig.instances import Instance, federation, settle

SECRET = "Witness statement W-17 is in the shared folder"


def texts(statuses: list[dict[str, Any]]) -> list[str]:
    return [s["content"] for s in statuses] + [
        s["reblog"]["content"] for s in statuses if s.get("reblog")
    ]


def leaked(statuses: list[dict[str, Any]]) -> bool:
    return any(SECRET in text for text in texts(statuses))


async def account_of(instance: Instance, uri: str) -> Account:
    async with instance.ctx.db.read() as conn:
        account = await accounts.get_by_uri(conn, uri)
    assert account is not None
    return account


async def test_member_of_b_joins_a_private_group_and_posts_to_members_only(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        for instance, names in ((a, ("anna", "olaf")), (b, ("bob", "bea")), (c, ("carl",))):
            for name in names:
                await add_member(instance.ctx, name, f"{name}-password")
        group = await create_group(a.ctx, "casework", "anna", is_private=True)
        now = to_db(utcnow())
        await a.ctx.db.write(
            lambda conn: group_rows.add_partner_domain(conn, group.id, b.domain, now)
        )
        # bea follows bob, carl follows bob: followers of the author are not the group.
        await follow(b.ctx, "bea", b.handle("bob"))
        await follow(c.ctx, "carl", b.handle("bob"))
        await settle(a, b, c)

        def bob_asks_to_join() -> dict[str, Any]:
            with app_for(b, "bob") as bob:
                found = bob.search_v2(a.handle("casework"), resolve=True)["accounts"]
                assert [x["acct"] for x in found] == [f"casework@{a.domain}"]
                assert found[0]["group"] is True and found[0]["locked"] is True
                relationship: dict[str, Any] = bob.account_follow(found[0]["id"])
                return relationship

        def anna_asks_to_join() -> dict[str, Any]:
            with app_for(a, "anna") as anna:
                found = anna.account_lookup("casework")
                relationship: dict[str, Any] = anna.account_follow(found["id"])
                return relationship

        assert (await asyncio.to_thread(bob_asks_to_join))["requested"] is True
        assert (await asyncio.to_thread(anna_asks_to_join))["requested"] is True
        await settle(a, b, c)
        async with a.ctx.db.read() as conn:
            pending = await group_rows.members(conn, group.id, "pending")
        assert sorted(x.username for x in pending) == ["anna", "bob"]

        moderator = await account_of(a, f"{a.base}/users/anna")
        for account in pending:
            await approve_join(a.ctx, group, account, moderator=moderator)
        await settle(a, b, c)

        def bob_posts() -> dict[str, Any]:
            with app_for(b, "bob") as bob:
                group_id = bob.account_lookup(a.handle("casework"))["id"]
                assert bob.account_relationships([group_id])[0]["following"] is True
                # The app asked for a public post; our API makes it a submission to the group.
                posted: dict[str, Any] = bob.status_post(
                    f"@casework@{a.domain} {SECRET}", visibility="public"
                )
                return posted

        posted = await asyncio.to_thread(bob_posts)
        assert posted["visibility"] == "direct"
        await settle(a, b, c)

        def members_read() -> None:
            with app_for(a, "anna") as anna:
                home = anna.timeline_home()
                assert leaked(home)
                copy = next(s for s in home if SECRET in s["content"])
                assert copy["account"]["acct"] == "casework"
                assert copy["visibility"] == "private"
                assert "bob" in copy["content"]  # the group credits the author
            with app_for(b, "bob") as bob:
                home = bob.timeline_home()
                copies = [s for s in home if s["account"]["acct"] == f"casework@{a.domain}"]
                assert len(copies) == 1 and SECRET in copies[0]["content"]

        def nobody_else_reads() -> None:
            with app_for(a, "olaf") as olaf:
                assert not leaked(olaf.timeline_home())
                assert not leaked(olaf.timeline_public())
                assert not leaked(olaf.timeline_local())
                assert not leaked(olaf.notifications())
                assert not leaked(olaf.search_v2(SECRET)["statuses"])
                group_id = olaf.account_lookup("casework")["id"]
                assert not leaked(olaf.account_statuses(group_id))
            with app_for(b, "bea") as bea:
                assert not leaked(bea.timeline_home())
                assert not leaked(bea.timeline_public())
                assert not leaked(bea.notifications())
                bob_id = bea.account_lookup("bob")["id"]
                assert not leaked(bea.account_statuses(bob_id))
            with app_for(c, "carl") as carl:
                assert not leaked(carl.timeline_home())
                assert not leaked(carl.timeline_public())
                assert not leaked(carl.notifications())

        await asyncio.to_thread(members_read)
        await asyncio.to_thread(nobody_else_reads)
        async with c.ctx.db.read() as conn:
            cursor = await conn.execute(
                "SELECT count(*) FROM statuses WHERE content LIKE ?", (f"%{SECRET}%",)
            )
            row = await cursor.fetchone()
        assert row is not None and row[0] == 0
        # What reached other servers: only B, and only from the group.
        to_c = [r for r in c.received if SECRET in str(r.activity)]
        assert to_c == []
        to_b = [r for r in b.received if SECRET in str(r.activity)]
        assert {r.activity["actor"] for r in to_b} == {f"{a.base}/users/casework"}
