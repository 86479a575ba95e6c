"""A private group's posts across three servers: alice.test hosts the group, bob.test has a
member (and a non-member), carol.test has none, only a follower of bob.test's member (to catch
leaks through followers). Submissions become the group's own copies, which reach the members'
servers and nothing else; wrongly addressed submissions are refused; fetches by anyone else get
the 404 of a post that never was (security.md V1-V5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fedi.accounts.members import add_member
from fedi.activitypub.group_notes import SUBMISSION_REL
from fedi.core.models import Account, Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, interactions, statuses, timelines
from fedi.db import group_posts as group_post_rows
from fedi.db import groups as group_rows
from fedi.db.timelines import Page
from fedi.federation.publish import Audience, enqueue
from fedi.federation.signing import signer_for
from fedi.groups.copies import delete_group_post
from fedi.groups.groups import GroupError, create_group, followers_digest
from fedi.media import media
from fedi.relationships.relationships import follow
from fedi.statuses.posting import delete_status, edit_status, post_status
from fedi.transport.http import HttpResponse
from tests.testrig.groups import join, leave, local_account
from tests.testrig.instances import Instance, federation, settle
from tests.testrig.pictures import png_with_text

AP = {"Accept": "application/activity+json"}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass
class World:
    a: Instance
    b: Instance
    c: Instance
    group: Account

    @property
    def group_handle(self) -> str:
        return self.a.handle("casework")


async def setup(a: Instance, b: Instance, c: Instance) -> World:
    for name in ("olga", "anna", "nina"):
        await add_member(a.ctx, name, f"{name}-password")
    for name in ("bob", "bea"):
        await add_member(b.ctx, name, f"{name}-password")
    await add_member(c.ctx, "carl", "carl-password")
    group = await create_group(a.ctx, "casework", "olga", is_private=True, display_name="Casework")
    for name in ("olga", "anna"):
        await join(a.ctx, "casework", a.ctx, name)
    await join(a.ctx, "casework", b.ctx, "bob")
    await follow(c.ctx, "carl", b.handle("bob"))  # carl.test knows bob only through following
    await follow(b.ctx, "bea", a.handle("anna"))
    await settle(a, b, c)
    for instance in (a, b, c):
        instance.received.clear()
    return World(a, b, c, group.account)


def posts(instance: Instance, kind: str) -> list[dict[str, Any]]:
    return [r.activity for r in instance.received if r.activity.get("type") == kind]


async def stored(instance: Instance, uri: str) -> Status | None:
    async with instance.ctx.db.read() as conn:
        return await statuses.get_by_uri(conn, uri)


async def copy_of(world: World, submission_uri: str) -> Status:
    async with world.a.ctx.db.read() as conn:
        copy = await group_post_rows.copy_of_submission(conn, submission_uri)
    assert copy is not None
    return copy


async def remote(instance: Instance, uri: str) -> Account:
    async with instance.ctx.db.read() as conn:
        account = await accounts.get_by_uri(conn, uri)
    assert account is not None
    return account


def nothing_from_alice(c: Instance) -> None:
    """carol.test got no POST at all from alice.test (or about the group)."""
    assert [r.activity for r in c.received if "alice.test" in json.dumps(r.activity)] == []


async def test_a_remote_members_post_becomes_the_groups_copy_for_members_only(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        text = f"{world.group_handle} Hello {a.handle('anna')} and {c.handle('carl')}"
        # The app asked for a public post: a post to a private group goes to the group alone.
        submission = await post_status(b.ctx, "bob", text, "public")
        assert submission.visibility == "direct"
        await settle(a, b, c)

        sent = [r for r in a.received if r.activity.get("type") == "Create"]
        assert [r.path for r in sent] == ["/users/casework/inbox"]
        note = sent[0].activity["object"]
        assert note["to"] == [world.group.uri] and note["cc"] == []
        assert note["audience"] == world.group.uri

        copy = await copy_of(world, submission.uri)
        bob_there = await remote(a, f"{b.base}/users/bob")
        anna = await local_account(a.ctx, "anna")
        assert copy.account_id == copy.group_id == world.group.id
        assert copy.visibility == "private" and copy.submitted_by_id == bob_there.id
        assert copy.content.startswith(f'<p><a href="{bob_there.url}"')
        assert "carl" in copy.content and c.base not in copy.content  # a non-member: plain text
        async with a.ctx.db.read() as conn:
            assert await statuses.mentioned_account_ids(conn, copy.id) == [anna.id]
            assert ("mention", world.group.id) in await interactions.notifications_of(conn, anna.id)
            home = await timelines.home(conn, anna.id, Page())
        assert copy.id in [s.id for s in home]

        # One POST to bob.test's shared inbox, with the FEP-8fcf digest of its members there.
        creates = [r for r in b.received if r.activity.get("type") == "Create"]
        assert [r.path for r in creates] == ["/inbox"]
        header = creates[0].headers["collection-synchronization"]
        assert f'digest="{followers_digest([f"{b.base}/users/bob"])}"' in header
        sent_copy = creates[0].activity["object"]
        assert sent_copy["id"] == copy.uri
        assert sent_copy["to"] == [world.group.followers_uri] and sent_copy["cc"] == []
        assert "bto" not in sent_copy and "bcc" not in sent_copy
        assert sent_copy["nb:submittedBy"] == f"{b.base}/users/bob"
        links = [tag for tag in sent_copy["tag"] if tag["type"] == "Link"]
        assert [(t["rel"], t["href"]) for t in links] == [(SUBMISSION_REL, submission.uri)]
        mentions = [tag["href"] for tag in sent_copy["tag"] if tag["type"] == "Mention"]
        assert mentions == [anna.uri]
        policy = sent_copy["interactionPolicy"]
        assert policy["canAnnounce"]["automaticApproval"] == [world.group.uri]
        assert policy["canQuote"]["automaticApproval"] == [world.group.uri]
        assert policy["canReply"]["automaticApproval"] == [world.group.followers_uri]
        assert sent_copy["context"] == copy.uri

        at_bob = await stored(b, copy.uri)
        assert at_bob is not None and at_bob.visibility == "private"
        bob = await local_account(b.ctx, "bob")
        bea = await local_account(b.ctx, "bea")
        async with b.ctx.db.read() as conn:
            assert at_bob.id in [s.id for s in await timelines.home(conn, bob.id, Page())]
            assert at_bob.id not in [s.id for s in await timelines.home(conn, bea.id, Page())]
        nothing_from_alice(c)
        assert await stored(c, copy.uri) is None and await stored(c, submission.uri) is None


async def test_local_posts_and_replies_thread_through_the_groups_copies(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        first = await post_status(a.ctx, "anna", f"{world.group_handle} Agenda?", "public")
        assert first.visibility == "direct"
        await settle(a, b, c)
        root = await copy_of(world, first.uri)
        at_bob = await stored(b, root.uri)
        assert at_bob is not None

        # Bob answers the copy he has; his server sends it to the group alone.
        reply = await post_status(b.ctx, "bob", "Item one", "private", in_reply_to_id=at_bob.id)
        assert reply.visibility == "direct" and reply.in_reply_to_uri == root.uri
        await settle(a, b, c)
        second = await copy_of(world, reply.uri)
        assert second.in_reply_to_id == root.id and second.thread_uri == root.uri

        # Anna answers her own submission: the reply goes to the copy.
        again = await post_status(a.ctx, "anna", "Item two", in_reply_to_id=first.id)
        third = await copy_of(world, again.uri)
        assert again.in_reply_to_id == root.id and third.in_reply_to_id == root.id
        await settle(a, b, c)
        assert await stored(b, third.uri) is not None
        nothing_from_alice(c)


async def test_attachments_of_a_submission_come_with_the_copy(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        anna = await local_account(a.ctx, "anna")
        upload = await media.upload(a.ctx, anna.id, png_with_text(), "a chart")
        status = await post_status(
            a.ctx, "anna", f"{world.group_handle} See the chart", media_ids=[upload.id]
        )
        await settle(a, b, c)
        copy = await copy_of(world, status.uri)
        media_url = a.ctx.urls.attachment(upload.file or "")
        async with a.ctx.db.read() as conn:
            attached = (await statuses.details(conn, copy.id)).attachments
        # Our own upload is linked where it is (re-hosting under the group is left for later).
        assert [(x.url, x.description) for x in attached] == [(media_url, "a chart")]
        at_bob = await stored(b, copy.uri)
        assert at_bob is not None
        async with b.ctx.db.read() as conn:
            there = (await statuses.details(conn, at_bob.id)).attachments
        assert [x.url for x in there] == [media_url]


async def test_a_member_removed_before_fan_out_gets_nothing(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        status = await post_status(a.ctx, "anna", f"{world.group_handle} After you left")
        await leave(a.ctx, "casework", f"{b.base}/users/bob")
        await settle(a, b, c)
        copy = await copy_of(world, status.uri)
        assert await stored(b, copy.uri) is None
        assert posts(b, "Create") == []


async def _send_as(instance: Instance, username: str, activity: dict[str, Any], inbox: str) -> None:
    """A hand-made activity from a member of `instance`, signed and sent by its outbox."""
    author = await local_account(instance.ctx, username)
    now = to_db(utcnow())
    await instance.ctx.db.write(
        lambda conn: enqueue(conn, author.id, activity, Audience(inboxes=(inbox,)), now)
    )


async def test_a_reply_to_the_members_followers_is_refused_and_explained(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        first = await post_status(a.ctx, "anna", f"{world.group_handle} Confidential")
        await settle(a, b, c)
        root = await copy_of(world, first.uri)
        a.received.clear()
        b.received.clear()
        bob_uri = f"{b.base}/users/bob"
        note_id = f"{bob_uri}/statuses/999"
        # Mastodon's default for a reply to a followers-only post: the replier's followers-only
        # (leak pitfall 1), with the group mentioned.
        note: dict[str, Any] = {
            "id": note_id, "type": "Note", "attributedTo": bob_uri,
            "content": "<p>quoting the confidential post</p>", "inReplyTo": root.uri,
            "to": [f"{bob_uri}/followers"], "cc": [world.group.uri],
            "tag": [{"type": "Mention", "href": world.group.uri}],
        }  # fmt: skip
        create = {
            "@context": "https://www.w3.org/ns/activitystreams", "id": f"{note_id}/activity",
            "type": "Create", "actor": bob_uri, "to": note["to"], "cc": note["cc"],
            "object": note,
        }  # fmt: skip
        await _send_as(b, "bob", create, world.group.inbox_uri or "")
        await settle(a, b, c)

        async with a.ctx.db.read() as conn:
            assert await group_post_rows.copy_of_submission(conn, note_id) is None
            assert await statuses.get_by_uri(conn, note_id) is None
        rejects = posts(b, "Reject")
        assert len(rejects) == 1 and rejects[0]["object"]["id"] == create["id"]
        assert rejects[0]["actor"] == world.group.uri
        explained = [r for r in posts(b, "Create") if r.get("actor") == world.group.uri]
        assert len(explained) == 1 and explained[0]["object"]["to"] == [bob_uri]
        assert "not shared" in explained[0]["object"]["content"]
        bob = await local_account(b.ctx, "bob")
        async with b.ctx.db.read() as conn:
            kinds = await interactions.notifications_of(conn, bob.id)
            group_there = await accounts.get_by_uri(conn, world.group.uri)
        assert group_there is not None and ("mention", group_there.id) in kinds
        # Nothing was relayed: no copy reached anyone, carol.test heard nothing.
        assert [p for p in posts(b, "Create") if p.get("object", {}).get("inReplyTo")] == []
        nothing_from_alice(c)


async def test_edits_and_deletions_of_submissions_reach_the_copies(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        remote_post = await post_status(b.ctx, "bob", f"{world.group_handle} Draft one")
        local_post = await post_status(a.ctx, "anna", f"{world.group_handle} Draft two")
        await settle(a, b, c)
        remote_copy = await copy_of(world, remote_post.uri)
        local_copy = await copy_of(world, local_post.uri)

        await edit_status(b.ctx, "bob", remote_post.id, f"{world.group_handle} Final one")
        await edit_status(a.ctx, "anna", local_post.id, f"{world.group_handle} Final two")
        await settle(a, b, c)
        for copy, text in ((remote_copy, "Final one"), (local_copy, "Final two")):
            edited = await stored(a, copy.uri)
            assert edited is not None and text in edited.content and edited.edited_at
            async with a.ctx.db.read() as conn:
                assert len(await statuses.edits(conn, copy.id)) == 1
            at_bob = await stored(b, copy.uri)
            assert at_bob is not None and text in at_bob.content
        updates = posts(b, "Update")
        assert {u["object"]["id"] for u in updates} == {remote_copy.uri, local_copy.uri}
        assert all(u["object"]["to"] == [world.group.followers_uri] for u in updates)

        await delete_status(b.ctx, "bob", remote_post.id)
        await delete_status(a.ctx, "anna", local_post.id)
        await settle(a, b, c)
        for copy in (remote_copy, local_copy):
            assert await stored(a, copy.uri) is None and await stored(b, copy.uri) is None
        async with a.ctx.db.read() as conn:
            assert await statuses.is_tombstoned(conn, remote_copy.uri)
        nothing_from_alice(c)


async def test_moderators_delete_group_posts_for_every_member(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        status = await post_status(b.ctx, "bob", f"{world.group_handle} Off topic")
        await settle(a, b, c)
        copy = await copy_of(world, status.uri)
        group = await group_rows_get(a, world.group.id)
        anna = await local_account(a.ctx, "anna")
        olga = await local_account(a.ctx, "olga")
        with pytest.raises(GroupError):
            await delete_group_post(a.ctx, group, copy.id, anna.id, "not a moderator")
        await delete_group_post(a.ctx, group, copy.id, olga.id, "off topic")
        await settle(a, b, c)
        assert await stored(a, copy.uri) is None and await stored(b, copy.uri) is None
        async with a.ctx.db.read() as conn:
            log = await group_rows.log_entries(conn, group.id)
        assert log[0].action == "delete_post" and "off topic" in log[0].detail
        assert [d["object"]["id"] for d in posts(b, "Delete")] == [copy.uri]


async def group_rows_get(instance: Instance, group_id: int) -> Any:
    async with instance.ctx.db.read() as conn:
        group = await group_rows.get_group(conn, group_id)
    assert group is not None
    return group


async def fetch(
    origin: Instance, url: str, signer: Account | None = None, **headers: str
) -> HttpResponse:
    sign = signer_for(origin.ctx, signer) if signer is not None else None
    return await origin.ctx.http.get(url, {**AP, **headers}, sign=sign)


def same_404(one: HttpResponse, other: HttpResponse) -> None:
    assert one.status == other.status == 404
    assert one.body == other.body
    left = {k.lower(): v for k, v in one.headers.items() if k.lower() != "date"}
    right = {k.lower(): v for k, v in other.headers.items() if k.lower() != "date"}
    assert left == right


async def test_only_members_and_their_servers_can_fetch_a_copy(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        status = await post_status(a.ctx, "anna", f"{world.group_handle} Members only")
        await settle(a, b, c)
        copy = await copy_of(world, status.uri)
        missing = f"{a.base}/users/casework/statuses/{copy.id + 7}"
        bob = await local_account(b.ctx, "bob")
        bea = await local_account(b.ctx, "bea")
        carl = await local_account(c.ctx, "carl")
        for suffix in ("", "/activity", "/replies"):
            url, gone = f"{copy.uri}{suffix}", f"{missing}{suffix}"
            assert (await fetch(b, url, bob)).status == 200
            assert (await fetch(b, url, b.ctx.instance_actor)).status == 200
            for origin, signer in ((c, None), (b, bea), (c, carl), (c, c.ctx.instance_actor)):
                same_404(await fetch(origin, url, signer), await fetch(origin, gone, signer))
            same_404(
                await fetch(c, url, None, **{"Accept-Language": "de"}),
                await fetch(c, gone, None, **{"Accept-Language": "de"}),
            )
        # The group's outbox exists for its readers only: everyone else gets a missing actor's 404.
        outbox = f"{a.base}/users/casework/outbox?page=true"
        no_outbox = f"{a.base}/users/nobody/outbox?page=true"
        member_page = json.loads((await fetch(b, outbox, bob)).body)
        assert [i["object"]["id"] for i in member_page["orderedItems"]] == [copy.uri]
        for origin, signer in ((b, bea), (c, carl), (c, None)):
            same_404(await fetch(origin, outbox, signer), await fetch(origin, no_outbox, signer))

        await leave(a.ctx, "casework", bob.uri)
        for suffix in ("", "/activity", "/replies"):
            same_404(
                await fetch(b, f"{copy.uri}{suffix}", bob),
                await fetch(b, f"{missing}{suffix}", bob),
            )
            assert (await fetch(b, f"{copy.uri}{suffix}", b.ctx.instance_actor)).status == 404


async def test_a_members_submission_is_readable_by_the_group_alone(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        submission = await post_status(b.ctx, "bob", f"{world.group_handle} For the group")
        await settle(a, b, c)
        anna = await local_account(a.ctx, "anna")
        assert (await fetch(a, submission.uri, world.group)).status == 200
        missing = f"{b.base}/users/bob/statuses/{submission.id + 7}"
        for signer in (a.ctx.instance_actor, anna, None):
            same_404(await fetch(a, submission.uri, signer), await fetch(a, missing, signer))


async def test_a_remote_announce_of_a_copy_is_not_redistributed(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        world = await setup(a, b, c)
        status = await post_status(a.ctx, "anna", f"{world.group_handle} No boosting")
        await settle(a, b, c)
        copy = await copy_of(world, status.uri)
        bob_uri = f"{b.base}/users/bob"
        announce = {
            "@context": "https://www.w3.org/ns/activitystreams", "id": f"{bob_uri}/boosts/1",
            "type": "Announce", "actor": bob_uri, "object": copy.uri, "to": [PUBLIC],
            "cc": [f"{bob_uri}/followers"],
        }  # fmt: skip
        await _send_as(b, "bob", announce, f"{a.base}/inbox")
        await settle(a, b, c)
        async with a.ctx.db.read() as conn:
            assert await statuses.reblogged_by(conn, copy.id, 10) == []
        nothing_from_alice(c)
