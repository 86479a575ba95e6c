"""Public groups (FEP-1b12) across servers: a group on alice.test, a member of it on bob.test (our
own software on both), and scripted Mastodon- and Lemmy-style servers that replay captured
payloads (tests/testrig/payloads) and record what the group sends them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from fedi.accounts.members import add_member
from fedi.core.models import Account, Group, Status, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, inbox_activities, statuses, timelines
from fedi.db import groups as group_rows
from fedi.federation.remote_accounts import get_actor
from fedi.groups.announcements import announce_moderation, delete_public_group_post
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from fedi.statuses.posting import delete_status, edit_status, post_status
from tests.testrig.fake_remote import AS_TYPE, FakeRemote, RemoteActor
from tests.testrig.instances import Instance, federation, settle

PAYLOADS = Path(__file__).resolve().parents[1] / "testrig" / "payloads"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
LEMMY_CONTEXT = ["https://join-lemmy.org/context.json", "https://www.w3.org/ns/activitystreams"]


@dataclass
class World:
    a: Instance  # the group's server
    b: Instance  # a member's server
    mastodon: FakeRemote
    lemmy: FakeRemote
    group: Group
    owner: User
    bob: User
    masto_alice: RemoteActor
    lemmy_alpha: RemoteActor

    @property
    def group_uri(self) -> str:
        return self.group.account.uri

    def load(self, name: str, **replace: str) -> dict[str, Any]:
        """A captured payload, its reserved hosts pointed at this world's servers (the given
        replacements first, then the local group, Mastodon and Lemmy hosts)."""
        text = (PAYLOADS / name).read_text()
        general = {
            "https://fedi.test/users/forum": self.group_uri,
            "https://mastodon.example": self.mastodon.base,
            "https://lemmy.example": self.lemmy.base,
        }
        for old, new in [*replace.items(), *general.items()]:
            text = text.replace(old, new)
        loaded: dict[str, Any] = json.loads(text)
        return loaded

    async def deliver(
        self, to: Instance, actor: RemoteActor, activity: dict[str, Any], path: str = "/inbox"
    ) -> None:
        """POST an activity signed by a fake remote actor, over real HTTP."""
        body = json.dumps(activity).encode()
        headers = actor.sign("POST", f"{to.base}{path}", body)
        headers["Content-Type"] = AS_TYPE
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"http://127.0.0.1:{to.port}{path}", content=body, headers=headers
            )
        assert answer.status_code == 202, answer.text

    def sent_by_group(self, remote: FakeRemote, kind: str) -> list[dict[str, Any]]:
        return [
            a
            for _, a in remote.posted
            if a.get("type") == kind and a.get("actor") == self.group_uri
        ]

    async def post_on_a(self, uri: str) -> Status | None:
        async with self.a.ctx.db.read() as conn:
            return await statuses.get_by_uri(conn, uri)

    async def group_boost_on_a(self, uri: str) -> Status | None:
        post = await self.post_on_a(uri)
        if post is None:
            return None
        async with self.a.ctx.db.read() as conn:
            return await statuses.get_reblog(conn, self.group.id, post.id)

    async def account_on(self, instance: Instance, uri: str) -> Account:
        async with instance.ctx.db.read() as conn:
            account = await accounts.get_by_uri(conn, uri)
        assert account is not None, uri
        return account

    async def home_boosts_on_b(self, booster_uri: str) -> list[Status]:
        """The boosts by booster_uri in bob's home timeline on bob.test."""
        booster = await self.account_on(self.b, booster_uri)
        async with self.b.ctx.db.read() as conn:
            home = await timelines.home(conn, self.bob.account.id, timelines.Page(limit=40))
        return [s for s in home if s.account_id == booster.id and s.reblog_of_id is not None]

    async def post_on_b(self, uri: str) -> Status | None:
        async with self.b.ctx.db.read() as conn:
            return await statuses.get_by_uri(conn, uri)

    async def inbox_state(self, instance: Instance, activity_uri: str) -> tuple[str, str | None]:
        async with instance.ctx.db.read() as conn:
            state = await inbox_activities.state_of(conn, activity_uri)
        assert state is not None, activity_uri
        return state


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """The group forum@alice.test with three followers: bob on bob.test, a Mastodon user and a
    Lemmy user, each joined with their own server's Follow."""
    mastodon, lemmy = FakeRemote("mastodon"), FakeRemote("lemmy")
    await mastodon.start()
    await lemmy.start()
    try:
        async with federation(tmp_path, "alice", "bob", remotes=("mastodon", "lemmy")) as (a, b):
            owner = await add_member(a.ctx, "olga", "olga-password")
            group = await create_group(a.ctx, "forum", "olga")
            bob = await add_member(b.ctx, "bob", "bob-password")
            w = World(
                a, b, mastodon, lemmy, group, owner, bob,
                mastodon.actor("alice"), lemmy.actor("lemmy_alpha", path="/u/lemmy_alpha"),
            )  # fmt: skip
            await follow(b.ctx, "bob", a.handle("forum"))
            to_group = f"/users/{group.account.username}/inbox"
            mastodon_follow = w.load(
                "mastodon/follow.json", **{"https://fedi.test/users/alice": w.group_uri}
            )
            await w.deliver(a, w.masto_alice, mastodon_follow, to_group)
            lemmy_follow = w.load(
                "lemmy/follow_community.json", **{"https://lemmy.example/c/main": w.group_uri}
            )
            await w.deliver(a, w.lemmy_alpha, lemmy_follow, to_group)
            await settle(a, b)
            async with a.ctx.db.read() as conn:
                assert await group_rows.member_count(conn, group.id) == 3
            yield w
    finally:
        await mastodon.stop()
        await lemmy.stop()


async def bob_posts_to_the_group(w: World) -> Status:
    post = await post_status(w.b.ctx, "bob", f"Hello {w.a.handle('forum')}, a first thread")
    await settle(w.a, w.b)
    return post


def lemmy_comment(w: World, parent: Status, n: int = 1) -> dict[str, Any]:
    """A Lemmy user's comment in the group, answering parent (a post of bob's), as Lemmy 0.19
    sends it: Create{Note} with the group as audience. Its Note is served at its id."""
    create = w.load(
        "lemmy/create_note_with_audience.json",
        **{
            "https://lemmy.example/c/main": w.group_uri,
            "https://fedi.test/users/alice/statuses/1": parent.uri,
            "https://fedi.test/users/alice": w.bob.account.uri,
            "@alice@fedi.test": f"@bob@{w.b.domain}",
            "/comment/1": f"/comment/{n}",
            "/activities/create/1e77d67c": f"/activities/create/{n}e77d67c",
        },
    )
    w.lemmy.put(f"/comment/{n}", {"@context": LEMMY_CONTEXT, **create["object"]})
    return create


async def test_posts_reach_mastodon_lemmy_and_our_own_followers_as_the_group_boosts(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        post = await bob_posts_to_the_group(w)
        boost = await w.group_boost_on_a(post.uri)
        assert boost is not None
        # What a Mastodon follower receives: Announce{Create} as the group got it, and the
        # Announce{post} Mastodon understands, both to Public and cc the group's followers.
        announces = w.sent_by_group(w.mastodon, "Announce")
        of_create = [a for a in announces if isinstance(a["object"], dict)]
        of_post = [a for a in announces if a["object"] == post.uri]
        assert len(of_create) == len(of_post) == 1
        assert of_create[0]["object"]["id"] == f"{post.uri}/activity"
        assert of_create[0]["object"]["object"]["id"] == post.uri
        assert of_create[0]["object"]["object"]["audience"] == w.group_uri
        assert of_post[0]["id"] == boost.uri
        for announce in (*of_create, *of_post):
            assert announce["to"] == [PUBLIC]
            assert announce["cc"] == [w.group.account.followers_uri]
        assert of_create[0]["id"] != of_post[0]["id"]
        # Bob's server took the two forms as one boost by the group.
        assert [s.reblog_of_id for s in await w.home_boosts_on_b(w.group_uri)] == [post.id]

        # A Lemmy user's comment in the thread is shared too: exactly as received.
        comment = lemmy_comment(w, post)
        await w.deliver(w.a, w.lemmy_alpha, comment, "/users/forum/inbox")
        await settle(w.a, w.b)
        assert await w.group_boost_on_a(comment["object"]["id"]) is not None
        relayed = [a for a in w.sent_by_group(w.mastodon, "Announce") if a not in announces]
        expected = {k: v for k, v in comment.items() if k != "@context"}
        assert [a["object"] for a in relayed] == [expected]  # a reply: no Announce{post}
        on_b = await w.post_on_b(comment["object"]["id"])
        assert on_b is not None and on_b.in_reply_to_id == post.id
        group_on_b = await w.account_on(w.b, w.group_uri)
        assert on_b.group_id == group_on_b.id  # its audience
        boosted = [s.reblog_of_id for s in await w.home_boosts_on_b(w.group_uri)]
        assert len(boosted) == 2 and set(boosted) == {post.id, on_b.id}
        # Shared once, whatever arrives again.
        await w.deliver(w.a, w.lemmy_alpha, {**comment, "id": comment["id"] + "-again"})
        await settle(w.a, w.b)
        assert len(w.sent_by_group(w.mastodon, "Announce")) == 3


async def test_banned_unaddressed_and_followers_only_posts_are_not_shared(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        post = await bob_posts_to_the_group(w)
        shared_before = len(w.sent_by_group(w.mastodon, "Announce"))

        # A banned member's comment: Reject{Create} to its author, nothing shared.
        lemmy_on_a = await w.account_on(w.a, w.lemmy_alpha.uri)
        now = to_db(utcnow())
        await w.a.ctx.db.write(
            lambda conn: group_rows.ban(conn, w.group.id, lemmy_on_a.id, "spam", None, now)
        )
        banned = lemmy_comment(w, post, 2)
        await w.deliver(w.a, w.lemmy_alpha, banned, "/users/forum/inbox")
        await settle(w.a, w.b)
        rejects = w.sent_by_group(w.lemmy, "Reject")
        assert [r["object"]["id"] for r in rejects] == [banned["id"]]
        assert rejects[0]["object"]["object"] == banned["object"]["id"]
        assert await w.group_boost_on_a(banned["object"]["id"]) is None
        assert await w.post_on_b(banned["object"]["id"]) is None

        # A reply in the thread that does not name the group, delivered to its inbox (guppe#17).
        reply = w.load(
            "mastodon/create_reply.json",
            **{
                "https://fedi.test/users/alice/statuses/1": post.uri,
                "https://fedi.test/users/alice": w.bob.account.uri,
                "https://fedi.test/@alice": w.bob.account.url or "",
            },
        )
        await w.deliver(w.a, w.masto_alice, reply, "/users/forum/inbox")
        await settle(w.a, w.b)
        assert await w.post_on_a(reply["object"]["id"]) is not None  # kept, but not shared
        assert await w.group_boost_on_a(reply["object"]["id"]) is None

        # A followers-only post that mentions the group: refused.
        private = w.load(
            "mastodon/create_note_mentioning_group.json",
            **{"110830743680706519": "110830743680706520"},
        )
        followers = w.masto_alice.document["followers"]
        for document in (private, private["object"]):
            document["to"], document["cc"] = [followers], [w.group_uri]
        await w.deliver(w.a, w.masto_alice, private, "/users/forum/inbox")
        await settle(w.a, w.b)
        assert [r["object"]["id"] for r in w.sent_by_group(w.mastodon, "Reject")] == [private["id"]]
        assert await w.group_boost_on_a(private["object"]["id"]) is None

        assert len(w.sent_by_group(w.mastodon, "Announce")) == shared_before
        assert [s.reblog_of_id for s in await w.home_boosts_on_b(w.group_uri)] == [post.id]


async def test_moderators_remove_posts_for_group_aware_servers_and_mastodon(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        post = await bob_posts_to_the_group(w)
        toot = w.load("mastodon/create_note_mentioning_group.json")
        w.mastodon.put(
            toot["object"]["id"].removeprefix(w.mastodon.base),
            {"@context": toot["@context"], **toot["object"]},
        )
        await w.deliver(w.a, w.masto_alice, toot, "/users/forum/inbox")
        comment = lemmy_comment(w, post)
        await w.deliver(w.a, w.lemmy_alpha, comment, "/users/forum/inbox")
        await settle(w.a, w.b)
        toot_uri, comment_uri = toot["object"]["id"], comment["object"]["id"]
        toot_boost = await w.group_boost_on_a(toot_uri)
        toot_on_a = await w.post_on_a(toot_uri)
        assert toot_boost is not None and toot_on_a is not None
        assert len(await w.home_boosts_on_b(w.group_uri)) == 3

        # The owner removes the Mastodon user's post.
        await delete_public_group_post(
            w.a.ctx, w.group, toot_on_a.id, w.owner.account.id, "off topic"
        )
        await settle(w.a, w.b)
        deletes = [a["object"] for a in w.sent_by_group(w.mastodon, "Announce")]
        deletes = [d for d in deletes if isinstance(d, dict) and d["type"] == "Delete"]
        assert len(deletes) == 1
        assert deletes[0]["object"] == toot_uri
        assert deletes[0]["actor"] == w.owner.account.uri
        assert deletes[0]["audience"] == w.group_uri and deletes[0]["summary"] == "off topic"
        undos = w.sent_by_group(w.mastodon, "Undo")
        assert [u["object"]["id"] for u in undos] == [toot_boost.uri]
        assert undos[0]["object"]["object"] == toot_uri
        assert await w.post_on_a(toot_uri) is None
        boosted = {s.reblog_of_id for s in await w.home_boosts_on_b(w.group_uri)}
        toot_on_b = await w.post_on_b(toot_uri)
        assert toot_on_b is None or toot_on_b.id not in boosted  # the group's boost is gone
        async with w.a.ctx.db.read() as conn:
            log = await group_rows.log_entries(conn, w.group.id)
        assert log[0].action == "remove_post" and log[0].actor_id == w.owner.account.id

        # Someone who does not moderate the group cannot remove a comment from it.
        beta = w.lemmy.actor("lemmy_beta", path="/u/lemmy_beta")
        beta_on_a = await get_actor(w.a.ctx, beta.uri)
        removal = w.load("lemmy/remove_note.json", **{"https://lemmy.example/c/main": w.group_uri})
        await w.deliver(w.a, beta, removal, "/users/forum/inbox")
        await settle(w.a, w.b)
        assert await w.inbox_state(w.a, removal["id"]) == (
            "failed",
            "only the group's moderators can remove a post from it",
        )
        assert await w.post_on_a(comment_uri) is not None
        assert await w.post_on_b(comment_uri) is not None

        # Once a moderator, the same removal goes through, and the group announces it as sent.
        now = to_db(utcnow())
        await w.a.ctx.db.write(
            lambda conn: group_rows.add_moderator(conn, w.group.id, beta_on_a.id, "moderator", now)
        )
        again = {**removal, "id": removal["id"] + "-again"}
        await w.deliver(w.a, beta, again, "/users/forum/inbox")
        await settle(w.a, w.b)
        assert await w.post_on_a(comment_uri) is None
        relayed = [a["object"] for a in w.sent_by_group(w.mastodon, "Announce")]
        assert {k: v for k, v in again.items() if k != "@context"} in relayed
        assert await w.post_on_b(comment_uri) is None  # its audience removed it
        boosted = {s.reblog_of_id for s in await w.home_boosts_on_b(w.group_uri)}
        assert boosted == {post.id}


async def test_a_remote_communitys_post_reaches_home_once_and_follows_its_edits(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        lemmy = w.lemmy
        community = lemmy.actor(
            "main", path="/c/main", type="Group", followers=f"{lemmy.base}/c/main/followers"
        )
        await follow(w.b.ctx, "bob", await get_actor(w.b.ctx, community.uri))
        await settle(w.b)
        follow_id = next(a["id"] for _, a in lemmy.posted if a.get("type") == "Follow")
        accept = w.load(
            "lemmy/accept_follow_community.json",
            **{
                "https://fedi.test/users/alice#follows/1": follow_id,
                "https://fedi.test/users/alice": w.bob.account.uri,
            },
        )
        await w.deliver(w.b, community, accept, "/users/bob/inbox")
        parent = w.load("lemmy/create_page.json")["object"]
        lemmy.put("/post/1", {"@context": LEMMY_CONTEXT, **parent})
        announce = w.load(
            "lemmy/announce_create_note.json",
            **{
                "https://fedi.test/users/alice/statuses/1": parent["id"],
                "https://fedi.test/users/alice": w.bob.account.uri,
                "@alice@fedi.test": f"@bob@{w.b.domain}",
            },
        )
        note = announce["object"]["object"]
        lemmy.put("/comment/1", {"@context": LEMMY_CONTEXT, **note})
        await w.deliver(w.b, community, announce)
        # The same comment again as a bare Announce{Note}, Lemmy's compatibility form.
        compat = w.load("lemmy/announce_page.json")
        compat["object"], compat["id"] = note["id"], compat["id"] + "-note"
        await w.deliver(w.b, community, compat)
        await settle(w.b)
        comment = await w.post_on_b(note["id"])
        assert comment is not None
        community_on_b = await w.account_on(w.b, community.uri)
        assert comment.group_id == community_on_b.id
        assert [s.reblog_of_id for s in await w.home_boosts_on_b(community.uri)] == [comment.id]

        # Announce{Update}: the comment is fetched again from its origin.
        edited = {**note, "content": "<p>hello, edited</p>\n"}
        lemmy.put("/comment/1", {"@context": LEMMY_CONTEXT, **edited})
        update = {
            "actor": w.lemmy_alpha.uri, "to": [PUBLIC], "object": edited,
            "cc": [community.uri], "type": "Update",
            "id": f"{lemmy.base}/activities/update/1", "audience": community.uri,
        }  # fmt: skip
        await w.deliver(w.b, community, envelope(community, update, "update"))
        await settle(w.b)
        comment = await w.post_on_b(note["id"])
        assert comment is not None and "edited" in comment.content

        # Undo of the form that was not kept still takes the community's boost away.
        undo = {
            "actor": community.uri, "to": [PUBLIC],
            "object": {k: v for k, v in compat.items() if k != "@context"},
            "type": "Undo", "id": f"{lemmy.base}/activities/undo/1",
        }  # fmt: skip
        await w.deliver(w.b, community, {"@context": LEMMY_CONTEXT, **undo})
        await settle(w.b)
        assert await w.home_boosts_on_b(community.uri) == []

        # Announce{Delete} by a moderator of the community: the comment is gone here.
        removal = w.load("lemmy/remove_note.json")
        await w.deliver(w.b, community, envelope(community, removal, "delete"))
        await settle(w.b)
        assert await w.post_on_b(note["id"]) is None


def envelope(community: RemoteActor, activity: dict[str, Any], name: str) -> dict[str, Any]:
    """A community's Announce of an activity, as Lemmy wraps one."""
    return {
        "@context": LEMMY_CONTEXT,
        "actor": community.uri,
        "to": [PUBLIC],
        "object": {k: v for k, v in activity.items() if k != "@context"},
        "cc": [community.document["followers"]],
        "type": "Announce",
        "id": f"{community.uri.rsplit('/c/', 1)[0]}/activities/announce/{name}",
    }


async def test_a_local_members_posts_edits_and_deletions_go_through_the_group(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        hidden = await post_status(w.a.ctx, "olga", "@forum only for my followers", "private")
        post = await post_status(w.a.ctx, "olga", "@forum the agenda for Monday")
        await settle(w.a, w.b)
        assert post.group_id == w.group.id and hidden.group_id is None
        assert await w.group_boost_on_a(hidden.uri) is None
        boost = await w.group_boost_on_a(post.uri)
        assert boost is not None
        shared = [a["object"] for a in w.sent_by_group(w.mastodon, "Announce")]
        assert post.uri in shared
        creates = [o for o in shared if isinstance(o, dict)]
        assert [c["object"]["audience"] for c in creates] == [w.group_uri]
        on_b = await w.post_on_b(post.uri)
        assert on_b is not None
        assert [s.reblog_of_id for s in await w.home_boosts_on_b(w.group_uri)] == [on_b.id]

        await edit_status(w.a.ctx, "olga", post.id, "@forum the agenda for Tuesday")
        await settle(w.a, w.b)
        updates = [a["object"] for a in w.sent_by_group(w.mastodon, "Announce")]
        assert [u["type"] for u in updates if isinstance(u, dict)] == ["Create", "Update"]
        on_b = await w.post_on_b(post.uri)
        assert on_b is not None and "Tuesday" in on_b.content

        await delete_status(w.a.ctx, "olga", post.id)
        await settle(w.a, w.b)
        assert [u["object"]["id"] for u in w.sent_by_group(w.mastodon, "Undo")] == [boost.uri]
        assert await w.post_on_b(post.uri) is None
        assert await w.home_boosts_on_b(w.group_uri) == []


async def test_moderation_is_announced_by_the_group_to_its_followers(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        group_doc = {"id": w.group_uri, "type": "Group", "name": "Forum, renamed"}
        update = {
            "@context": "https://www.w3.org/ns/activitystreams", "type": "Update",
            "id": f"{w.owner.account.uri}#updates/1", "actor": w.owner.account.uri,
            "to": [PUBLIC], "cc": [w.group_uri], "object": group_doc,
        }  # fmt: skip
        block = {
            "type": "Block", "id": f"{w.owner.account.uri}#blocks/1",
            "actor": w.owner.account.uri, "object": w.lemmy_alpha.uri, "target": w.group_uri,
        }  # fmt: skip
        now = to_db(utcnow())
        sent = await announce_moderation(w.a.ctx, w.group, update, now)
        in_write = await w.a.ctx.db.write(
            lambda conn: announce_moderation(conn, w.group, block, now)
        )
        w.a.ctx.wake.outbox.set()
        await settle(w.a, w.b)
        received = {a["id"]: a for a in w.sent_by_group(w.mastodon, "Announce")}
        assert set(received) == {sent["id"], in_write["id"]}
        for announce, activity in ((sent, update), (in_write, block)):
            got = received[announce["id"]]
            assert got["object"] == {k: v for k, v in activity.items() if k != "@context"}
            assert got["to"] == [PUBLIC] and got["cc"] == [w.group.account.followers_uri]
        # A private group's moderation never goes to Public.
        private = await create_group(w.a.ctx, "casework", "olga", is_private=True)
        quiet = await announce_moderation(w.a.ctx, private, block, now)
        assert quiet["to"] == [private.account.followers_uri] and quiet["cc"] == []
