"""Reads shared by a batch of inbound Creates (the local accounts the batch names, read once;
an actor the worker has read is not read again as its post's author) answer as per-activity
reads did: in one batch, a suspended author's posts are dropped even when relayed by another,
a reply to an unknown post mentions the parent's author fetched on the way, a second Create of
a stored post is a no-op, a mention of a missing member is none, and the member mentioned is
notified once per post; only the posts of an author a member subscribed to ring her bell."""

from __future__ import annotations

from fedi.core.ids import new_id
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, interactions, statuses
from fedi.relationships.subscriptions import set_subscription
from tests.federation.test_inbox_batches import Inbound, inbound, note, wrap

__all__ = ["inbound"]  # the fixture, used by name


async def test_a_mixed_batch_of_creates_reads_as_one_at_a_time(inbound: Inbound) -> None:
    north, south = inbound.remotes[0], inbound.remotes[1]
    banned, relay, author = north.actor("banned"), north.actor("relay"), south.actor("author")
    parent_author = south.actor("parent")
    # The banned account is known here, then suspended by a moderator.
    assert (
        await inbound.post(banned, wrap("Create", banned, note(banned, 0, inbound.alice), "c0"))
        == 202
    )
    assert await inbound.run_worker() == 1
    async with inbound.home.ctx.db.read() as conn:
        banned_account = await accounts.get_by_uri(conn, banned.uri)
    assert banned_account is not None
    stamp = to_db(utcnow())
    await inbound.home.ctx.db.write(
        lambda conn: accounts.set_suspended(conn, banned_account.id, stamp)
    )
    # A parent post its server serves, by an author not known here yet.
    parent = note(parent_author, 1, inbound.alice) | {"id": f"{south.base}/notes/parent"}
    south.put("/notes/parent", parent)
    reply = note(author, 2, inbound.alice) | {"inReplyTo": parent["id"]}
    reply["tag"] = [*reply["tag"], {"type": "Mention", "href": parent_author.uri}]
    missing = inbound.alice.rsplit("/", 1)[0] + "/nobody"
    lonely = note(author, 3, missing) | {"tag": [{"type": "Mention", "href": missing}]}
    plain = note(author, 4, inbound.alice)
    received = [
        (banned, wrap("Create", banned, note(banned, 5, inbound.alice), "c5")),
        (relay, wrap("Create", relay, note(banned, 6, inbound.alice), "relayed")),
        (author, wrap("Create", author, reply, "reply")),
        (author, wrap("Create", author, lonely, "lonely")),
        (author, wrap("Create", author, plain, "plain")),
        (author, wrap("Create", author, plain, "plain-again")),  # the same post once more
    ]
    for actor, activity in received:
        assert await inbound.post(actor, activity) == 202

    assert await inbound.run_worker() == len(received)  # one batch
    assert await inbound.states() == {"done": 1 + len(received)}
    assert await inbound.post_of(f"{banned.uri}/notes/5") is None
    assert await inbound.post_of(f"{banned.uri}/notes/6") is None
    stored_reply, stored_parent = (
        await inbound.post_of(reply["id"]),
        await inbound.post_of(parent["id"]),
    )
    assert stored_reply is not None and stored_parent is not None
    assert stored_reply.in_reply_to_id == stored_parent.id
    stored_lonely, stored_plain = (
        await inbound.post_of(lonely["id"]),
        await inbound.post_of(plain["id"]),
    )
    assert stored_lonely is not None and stored_plain is not None
    async with inbound.home.ctx.db.read() as conn:
        alice = await accounts.get_by_uri(conn, inbound.alice)
        fetched = await accounts.get_by_uri(conn, parent_author.uri)
        assert alice is not None and fetched is not None
        assert sorted(await statuses.mentioned_account_ids(conn, stored_reply.id)) == sorted(
            [alice.id, fetched.id]
        )
        assert await statuses.mentioned_account_ids(conn, stored_lonely.id) == []
        assert await statuses.mentioned_account_ids(conn, stored_plain.id) == [alice.id]
        notified = await interactions.notifications_of(conn, alice.id)
    author_id = stored_plain.account_id
    # c0 (before the suspension), the reply, its parent and the plain post: once each.
    assert sorted(notified) == sorted(
        [("mention", banned_account.id), ("mention", author_id), ("mention", fetched.id),
         ("mention", author_id)]
    )  # fmt: skip


async def test_only_the_subscribed_authors_posts_ring_the_bell_in_a_batch(
    inbound: Inbound,
) -> None:
    north, south = inbound.remotes[0], inbound.remotes[1]
    watched, other = north.actor("watched"), south.actor("other")
    for actor in (watched, other):  # both known here
        assert (
            await inbound.post(actor, wrap("Create", actor, note(actor, 0, inbound.alice), "c0"))
            == 202
        )
    assert await inbound.run_worker() == 2
    async with inbound.home.ctx.db.read() as conn:
        alice = await accounts.get_by_uri(conn, inbound.alice)
        watched_account = await accounts.get_by_uri(conn, watched.uri)
    assert alice is not None and watched_account is not None
    await inbound.home.ctx.db.write(
        lambda conn: follows.insert_follow(
            conn,
            follow_id=new_id(),
            follower_id=alice.id,
            followed_id=watched_account.id,
            uri=None,
            state="accepted",
            created_at=to_db(utcnow()),
        )
    )
    await set_subscription(inbound.home.ctx, alice.id, watched_account.id, True)
    posts = [(actor, note(actor, n, inbound.alice)) for n in (1, 2) for actor in (watched, other)]
    for actor, post in posts:
        assert await inbound.post(actor, wrap("Create", actor, post, f"c{post['id'][-1]}")) == 202
    assert await inbound.run_worker() == len(posts)
    async with inbound.home.ctx.db.read() as conn:
        cursor = await conn.execute(
            "SELECT s.uri FROM notifications n JOIN statuses s ON s.id = n.status_id"
            " WHERE n.account_id = ? AND n.type = 'status' ORDER BY s.uri",
            (alice.id,),
        )
        rung = [row[0] for row in await cursor.fetchall()]
    assert rung == [f"{watched.uri}/notes/1", f"{watched.uri}/notes/2"]


async def test_a_post_deleted_before_the_batch_is_not_brought_back(inbound: Inbound) -> None:
    author = inbound.remotes[0].actor("author")
    gone, kept = note(author, 1, inbound.alice), note(author, 2, inbound.alice)
    assert await inbound.post(author, wrap("Create", author, gone, "create-1")) == 202
    assert await inbound.run_worker() == 1
    assert await inbound.post(author, wrap("Delete", author, gone["id"], "delete-1")) == 202
    assert await inbound.run_worker() == 1
    # The deleted post sent again (a retry from its server), in a batch with a new one.
    assert await inbound.post(author, wrap("Create", author, gone, "create-1-again")) == 202
    assert await inbound.post(author, wrap("Create", author, kept, "create-2")) == 202
    assert await inbound.run_worker() == 2
    assert await inbound.states() == {"done": 4}
    assert await inbound.post_of(gone["id"]) is None
    assert await inbound.post_of(kept["id"]) is not None
