"""Fetching posts across instances: public posts for anyone; a followers-only post only for a
signed request from a follower's server; everyone else gets the 404 of a post that never was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fedi.accounts.members import add_member
from fedi.db import statuses
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.testrig.instances import federation, settle

AP = {"Accept": "application/activity+json"}


async def test_followers_only_post_is_served_to_a_followers_server_only(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await add_member(c.ctx, "carol", "carol-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b, c)
        public = await post_status(a.ctx, "alice", "For everyone")
        private = await post_status(a.ctx, "alice", "For my followers", "private")
        await settle(a, b, c)

        # Bob's server (signing with its instance actor) may fetch the followers-only post.
        document = await fetch_document(b.ctx, private.uri)
        assert document["content"] == "<p>For my followers</p>"
        # Carol's server may fetch the public post, but not the followers-only one.
        assert (await fetch_document(c.ctx, public.uri))["id"] == public.uri
        with pytest.raises(DereferenceError, match="answered 404"):
            await fetch_document(c.ctx, private.uri)

        # Unsigned, through the same production client: the answer for a post that never was.
        http = c.ctx.http
        unsigned = await http.get(private.uri, AP)
        missing = await http.get(f"{a.base}/users/alice/statuses/{private.id + 7}", AP)
        replies = await http.get(f"{private.uri}/replies", AP)
        assert unsigned.status == missing.status == replies.status == 404
        assert unsigned.body == missing.body == replies.body
        assert unsigned.headers["content-type"] == missing.headers["content-type"]


async def test_a_reply_brings_its_thread_with_it(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await add_member(c.ctx, "carol", "carol-password")
        await follow(c.ctx, "carol", b.handle("bob"))
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b, c)
        root = await post_status(a.ctx, "alice", "Root of the thread")
        await settle(a, b, c)
        async with b.ctx.db.read() as conn:
            copy = await statuses.get_by_uri(conn, root.uri)
        assert copy is not None
        reply = await post_status(b.ctx, "bob", "A reply", in_reply_to_id=copy.id)
        await settle(a, b, c)
        # Carol's server never saw the root; receiving bob's reply, it fetched the parent.
        async with c.ctx.db.read() as conn:
            parent = await statuses.get_by_uri(conn, root.uri)
            child = await statuses.get_by_uri(conn, reply.uri)
        assert parent is not None and child is not None
        assert child.in_reply_to_id == parent.id
        page = await c.ctx.http.get(f"{root.uri}/replies?page=true", AP)
        assert json.loads(page.body)["orderedItems"] == [reply.uri]


async def test_the_outbox_shows_followers_only_posts_to_followers_servers(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b, c)
        await post_status(a.ctx, "alice", "Public")
        private = await post_status(a.ctx, "alice", "Followers only", "private")
        await settle(a, b, c)
        outbox = f"{a.base}/users/alice/outbox?page=true"
        for instance, expected in ((b, 2), (c, 1)):
            page = await fetch_document(instance.ctx, outbox)
            items = [item["object"]["id"] for item in page["orderedItems"]]
            assert len(items) == expected
            assert (private.uri in items) is (instance is b)
