"""Follows between two full instances over real signed HTTP."""

from __future__ import annotations

from pathlib import Path

from fedi.accounts.members import add_member, get_member
from fedi.db import accounts, follows, interactions
from fedi.relationships.relationships import authorize_follow, follow, unfollow
from tests.testrig.instances import Instance, federation, settle


async def follow_state(instance: Instance, follower: str, followed_uri: str) -> str | None:
    async with instance.ctx.db.read() as conn:
        member = await accounts.get_local_actor(conn, follower)
        target = await accounts.get_by_uri(conn, followed_uri)
        if member is None or target is None:
            return None
        found = await follows.get_follow(conn, member.id, target.id)
    return found[2] if found else None


async def test_follow_of_an_open_account_is_accepted(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        bob = await add_member(b.ctx, "bob", "bob-password")
        assert await follow(a.ctx, "alice", b.handle("bob")) == "pending"
        await settle(a, b)
        assert await follow_state(a, "alice", bob.account.uri) == "accepted"
        async with b.ctx.db.read() as conn:
            followers = await follows.follower_inboxes(conn, bob.account.id)
            notes = await interactions.notifications_of(conn, bob.account.id)
        assert followers == [f"{a.base}/inbox"]
        assert [kind for kind, _ in notes] == ["follow"]
        # What bob's server received: a Follow signed by alice's key, to bob's inbox.
        follow_post = next(r for r in b.received if r.activity.get("type") == "Follow")
        assert follow_post.path == "/users/bob/inbox"
        assert 'keyId="' + a.base + '/users/alice#main-key"' in follow_post.headers["signature"]
        assert "digest" in follow_post.headers


async def test_follow_of_locked_actor_waits_for_approval(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        alice = await add_member(a.ctx, "alice", "alice-password")
        bob = await add_member(b.ctx, "bob", "bob-password")
        await b.ctx.db.write(
            lambda conn: conn.execute(
                "UPDATE accounts SET is_locked = 1 WHERE id = ?", (bob.account.id,)
            )
        )
        await follow(a.ctx, "alice", b.handle("bob"))
        await settle(a, b)
        assert await follow_state(a, "alice", bob.account.uri) == "pending"
        async with b.ctx.db.read() as conn:
            remote_alice = await accounts.get_by_uri(conn, alice.account.uri)
            assert remote_alice is not None
            assert await follows.pending_requests(conn, bob.account.id) == [remote_alice.id]
        await authorize_follow(b.ctx, "bob", remote_alice.id)
        await settle(a, b)
        assert await follow_state(a, "alice", bob.account.uri) == "accepted"


async def test_unfollow_removes_the_follow_on_both_sides(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        bob = await add_member(b.ctx, "bob", "bob-password")
        await follow(a.ctx, "alice", b.handle("bob"))
        await settle(a, b)
        await unfollow(a.ctx, "alice", b.handle("bob"))
        await settle(a, b)
        assert await follow_state(a, "alice", bob.account.uri) is None
        async with b.ctx.db.read() as conn:
            assert await follows.follower_inboxes(conn, bob.account.id) == []
        assert (await get_member(b.ctx, "bob")).account.id == bob.account.id
