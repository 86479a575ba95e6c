"""Posts of each visibility reach exactly the servers that may see them, and replies, likes,
boosts, edits and deletions follow them there."""

from __future__ import annotations

from pathlib import Path

from fedi.accounts.members import add_member
from fedi.core.models import Status
from fedi.db import accounts, interactions, statuses
from fedi.relationships.relationships import follow
from fedi.statuses.interactions import boost, favourite, unboost, unfavourite
from fedi.statuses.posting import delete_status, edit_status, post_status
from tests.testrig.instances import Instance, federation, settle

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def stored(instance: Instance, uri: str) -> Status | None:
    async with instance.ctx.db.read() as conn:
        return await statuses.get_by_uri(conn, uri)


def creates_received(instance: Instance) -> list[str]:
    return [
        r.activity["object"]["id"]
        for r in instance.received
        if r.activity.get("type") == "Create" and isinstance(r.activity.get("object"), dict)
    ]


async def setup(a: Instance, b: Instance, c: Instance) -> None:
    await add_member(a.ctx, "alice", "alice-password")
    await add_member(b.ctx, "bob", "bob-password")
    await add_member(c.ctx, "carol", "carol-password")
    await follow(b.ctx, "bob", a.handle("alice"))
    await settle(a, b, c)


async def test_each_visibility_reaches_exactly_the_right_inboxes(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await setup(a, b, c)
        public = await post_status(a.ctx, "alice", "Hello world #rights", "public")
        unlisted = await post_status(a.ctx, "alice", "Quietly", "unlisted")
        private = await post_status(a.ctx, "alice", "Followers only", "private")
        direct = await post_status(a.ctx, "alice", f"Hi {c.handle('carol')}", "direct")
        await settle(a, b, c)

        assert sorted(creates_received(b)) == sorted([public.uri, unlisted.uri, private.uri])
        assert creates_received(c) == [direct.uri]
        # One POST per server: everything went to the shared inbox.
        assert {r.path for r in b.received if r.activity.get("type") == "Create"} == {"/inbox"}

        for status, visibility in (
            (public, "public"),
            (unlisted, "unlisted"),
            (private, "private"),
        ):
            copy = await stored(b, status.uri)
            assert copy is not None and copy.visibility == visibility
            assert await stored(c, status.uri) is None
        dm = await stored(c, direct.uri)
        assert dm is not None and dm.visibility == "direct"
        assert await stored(b, direct.uri) is None
        async with c.ctx.db.read() as conn:
            carol = await accounts.get_local_actor(conn, "carol")
            assert carol is not None
            assert carol.id in await statuses.mentioned_account_ids(conn, dm.id)
            assert ("mention", dm.account_id) in await interactions.notifications_of(conn, carol.id)

        create = next(
            r.activity
            for r in b.received
            if r.activity.get("type") == "Create" and r.activity["object"]["id"] == public.uri
        )
        assert create["object"]["to"] == [PUBLIC]
        assert create["object"]["cc"] == [f"{a.base}/users/alice/followers"]
        assert create["object"]["tag"][0]["name"] == "#rights"


async def test_reply_like_boost_and_their_undo(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await setup(a, b, c)
        original = await post_status(a.ctx, "alice", "What do you think?")
        await settle(a, b, c)
        copy = await stored(b, original.uri)
        assert copy is not None

        reply = await post_status(
            b.ctx, "bob", f"{a.handle('alice')} I agree", in_reply_to_id=copy.id
        )
        await favourite(b.ctx, "bob", copy.id)
        await boost(b.ctx, "bob", copy.id)
        await settle(a, b, c)

        at_alice = await stored(a, reply.uri)
        assert at_alice is not None and at_alice.in_reply_to_id == original.id
        async with a.ctx.db.read() as conn:
            alice = await accounts.get_local_actor(conn, "alice")
            assert alice is not None
            assert await interactions.count_favourites(conn, original.id) == 1
            kinds = [kind for kind, _ in await interactions.notifications_of(conn, alice.id)]
        assert sorted(kinds) == ["favourite", "follow", "mention", "reblog"]

        await unfavourite(b.ctx, "bob", copy.id)
        await unboost(b.ctx, "bob", copy.id)
        await settle(a, b, c)
        async with a.ctx.db.read() as conn:
            assert await interactions.count_favourites(conn, original.id) == 0
            bob_there = await accounts.get_by_uri(conn, f"{b.base}/users/bob")
            assert bob_there is not None
            assert await statuses.get_reblog(conn, bob_there.id, original.id) is None


async def test_edit_keeps_history_and_delete_leaves_a_tombstone(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await setup(a, b, c)
        status = await post_status(a.ctx, "alice", "First version")
        await settle(a, b, c)
        await edit_status(a.ctx, "alice", status.id, "Second version")
        await settle(a, b, c)
        copy = await stored(b, status.uri)
        assert copy is not None and copy.content == "<p>Second version</p>"
        assert copy.edited_at is not None
        async with b.ctx.db.read() as conn:
            history = await statuses.edits(conn, copy.id)
        assert [content for content, _, _ in history] == ["<p>First version</p>"]

        await delete_status(a.ctx, "alice", status.id)
        await settle(a, b, c)
        assert await stored(b, status.uri) is None
        async with b.ctx.db.read() as conn:
            assert await statuses.is_tombstoned(conn, status.uri)


async def test_boost_of_a_followers_only_post_is_refused(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await setup(a, b, c)
        private = await post_status(a.ctx, "alice", "Followers only", "private")
        await settle(a, b, c)
        copy = await stored(b, private.uri)
        assert copy is not None
        try:
            await boost(b.ctx, "bob", copy.id)
        except ValueError as exc:
            assert "public and unlisted" in str(exc)
        else:
            raise AssertionError("a followers-only post was boosted")
