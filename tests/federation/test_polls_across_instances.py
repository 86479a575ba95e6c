"""Polls across instances, driven through the client API where an app would act: alice on A
posts a followers-only poll, bob on B (a follower) sees it and votes through B's API; A counts
the vote and B gets the new counts in an Update{Question}; votes that must not count do not; the
end of the poll notifies each side's members once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from fedi.accounts.members import add_member
from fedi.activitypub.votes import vote_to_ap
from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, inbox_activities, statuses
from fedi.db import polls as db_polls
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_accounts import resolve_handle
from fedi.relationships.relationships import follow
from tests.federation.test_api_across_instances import app_for
from tests.testrig.instances import Instance, federation, settle


async def local(instance: Instance, username: str) -> Account:
    async with instance.ctx.db.read() as conn:
        account = await accounts.get_local_actor(conn, username)
    assert account is not None
    return account


async def counts(instance: Instance, uri: str) -> tuple[list[int], int | None]:
    async with instance.ctx.db.read() as conn:
        status = await statuses.get_by_uri(conn, uri)
        assert status is not None
        poll = await db_polls.get(conn, status.id)
    assert poll is not None
    return [o.votes for o in poll.options], poll.voters_count


async def send_vote(
    instance: Instance, username: str, question_uri: str, option: str, author: Account
) -> str:
    """A vote as Mastodon sends it, queued on the voter's own server (signed when delivered)."""
    voter = await local(instance, username)
    activity = vote_to_ap(f"{voter.uri}#votes/{new_id()}", voter, question_uri, author, option)
    now = to_db(utcnow())
    await instance.ctx.db.write(
        lambda conn: enqueue(conn, voter.id, activity, Audience.personal(author), now)
    )
    return str(activity["id"])


async def refusal(instance: Instance, activity_id: str) -> str | None:
    async with instance.ctx.db.read() as conn:
        state = await inbox_activities.state_of(conn, activity_id)
    assert state is not None and state[0] == "failed", state
    return state[1]


async def alice_polls(a: Instance, b: Instance, *others: Instance) -> dict[str, Any]:
    """alice on A, followed by bob on B and dave on A, posts a followers-only poll."""
    await add_member(a.ctx, "alice", "alice-password")
    await add_member(a.ctx, "dave", "dave-password")
    await add_member(b.ctx, "bob", "bob-password")
    await follow(b.ctx, "bob", a.handle("alice"))
    await follow(a.ctx, "dave", a.handle("alice"))
    await settle(a, b, *others)

    def post() -> Any:
        with app_for(a, "alice") as alice:
            poll = alice.make_poll(["Office", "Online"], expires_in=3600)
            return alice.status_post("Where do we meet?", visibility="private", poll=poll)

    posted: dict[str, Any] = await asyncio.to_thread(post)
    await settle(a, b, *others)
    return posted


async def test_a_follower_votes_from_another_instance(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        posted = await alice_polls(a, b, c)
        uri = posted["uri"]

        def bob_votes() -> tuple[Any, Any]:
            with app_for(b, "bob") as bob:
                seen = next(s for s in bob.timeline_home() if s["uri"] == uri)
                return seen, bob.poll_vote(seen["poll"]["id"], 0)

        seen, voted = await asyncio.to_thread(bob_votes)
        assert [o["title"] for o in seen["poll"]["options"]] == ["Office", "Online"]
        assert seen["poll"]["voted"] is False
        assert voted["own_votes"] == [0] and voted["votes_count"] == 1  # shown at once

        def dave_votes() -> Any:
            with app_for(a, "dave") as dave:
                return dave.poll_vote(posted["poll"]["id"], 1)

        await asyncio.to_thread(dave_votes)
        await settle(a, b, c)

        # A counted bob's vote, which came as Mastodon sends it, to alice alone.
        vote = next(r for r in a.received if r.activity.get("type") == "Create")
        alice = await local(a, "alice")
        assert vote.path == "/users/alice/inbox"
        assert vote.activity["to"] == [alice.uri] and vote.activity["cc"] == []
        note = vote.activity["object"]
        assert (note["type"], note["name"], note["inReplyTo"]) == ("Note", "Office", uri)
        assert await counts(a, uri) == ([1, 1], 2)
        async with a.ctx.db.read() as conn:
            assert await statuses.get_by_uri(conn, note["id"]) is None  # never a reply
            assert await statuses.count_replies(conn, int(posted["id"])) == 0

        # B got the new counts (dave's vote too), as an Update of the Question, not an edit.
        updates = [r.activity for r in b.received if r.activity.get("type") == "Update"]
        assert updates and updates[-1]["object"]["type"] == "Question"
        assert [o["replies"]["totalItems"] for o in updates[-1]["object"]["oneOf"]] == [1, 1]
        assert updates[-1]["object"]["votersCount"] == 2

        def bob_reads() -> Any:
            with app_for(b, "bob") as bob:
                return bob.status(seen["id"])

        again = await asyncio.to_thread(bob_reads)
        assert [o["votes_count"] for o in again["poll"]["options"]] == [1, 1]
        assert again["poll"]["voters_count"] == 2 and again["poll"]["own_votes"] == [0]
        assert again["edited_at"] is None

        # The followers-only poll and its counts never reached carol's server.
        assert not [r for r in c.received if r.activity.get("type") in ("Create", "Update")]


async def test_votes_that_must_not_count(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        posted = await alice_polls(a, b, c)
        uri = posted["uri"]
        await add_member(b.ctx, "erin", "erin-password")
        await follow(b.ctx, "erin", a.handle("alice"))
        await add_member(c.ctx, "carol", "carol-password")

        def alice_posts_text() -> Any:
            with app_for(a, "alice") as alice:
                return alice.status_post("No poll here", visibility="public")

        plain = await asyncio.to_thread(alice_posts_text)

        def bob_votes() -> None:
            with app_for(b, "bob") as bob:
                seen = next(s for s in bob.timeline_home() if s["uri"] == uri)
                bob.poll_vote(seen["poll"]["id"], 0)

        await asyncio.to_thread(bob_votes)
        await settle(a, b, c)
        assert await counts(a, uri) == ([1, 0], 1)

        alice_on_b = await resolve_handle(b.ctx, a.handle("alice"))
        alice_on_c = await resolve_handle(c.ctx, a.handle("alice"))
        refused = {
            "not a follower": await send_vote(c, "carol", uri, "Office", alice_on_c),
            "same option again": await send_vote(b, "bob", uri, "Office", alice_on_b),
            "second option, single choice": await send_vote(b, "bob", uri, "Online", alice_on_b),
            "no such option": await send_vote(b, "erin", uri, "Elsewhere", alice_on_b),
            "not a poll": await send_vote(b, "erin", plain["uri"], "Office", alice_on_b),
        }
        await settle(a, b, c)
        reasons = {why: await refusal(a, activity) for why, activity in refused.items()}
        assert reasons == {
            "not a follower": "the voter may not see the poll",
            "same option again": "the actor already voted in this poll",
            "second option, single choice": "the actor already voted in this poll",
            "no such option": "the vote names no option of the poll",
            "not a poll": "the vote answers no poll of ours",
        }

        # After the end, even a vote that would have counted is ignored.
        past = to_db(utcnow() - timedelta(seconds=1))
        await a.ctx.db.write(
            lambda conn: conn.execute(
                "UPDATE polls SET expires_at = ? WHERE status_id = ?", (past, int(posted["id"]))
            )
        )
        late = await send_vote(b, "erin", uri, "Online", alice_on_b)
        await settle(a, b, c)
        assert await refusal(a, late) == "the poll has ended"

        assert await counts(a, uri) == ([1, 0], 1)
        async with a.ctx.db.read() as conn:
            assert await statuses.count_replies(conn, int(posted["id"])) == 0
            assert await statuses.count_replies(conn, int(plain["id"])) == 0


async def test_the_end_of_a_poll_notifies_each_side_once(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        posted = await alice_polls(a, b)

        def bob_votes() -> None:
            with app_for(b, "bob") as bob:
                seen = next(s for s in bob.timeline_home() if s["uri"] == posted["uri"])
                bob.poll_vote(seen["poll"]["id"], 1)

        await asyncio.to_thread(bob_votes)
        await settle(a, b)
        for instance in (a, b):
            instance.clock.advance(timedelta(hours=2))
        await settle(a, b)
        await settle(a, b)  # a second round ends nothing twice

        def notifications(instance: Instance, username: str) -> list[Any]:
            with app_for(instance, username) as client:
                return list(client.notifications())

        for instance, username in ((a, "alice"), (b, "bob")):
            found = await asyncio.to_thread(notifications, instance, username)
            polls = [n for n in found if n["type"] == "poll"]
            assert len(polls) == 1, (username, found)
            assert polls[0]["status"]["uri"] == posted["uri"]
            assert polls[0]["account"]["acct"] in ("alice", f"alice@{a.domain}")
        assert await asyncio.to_thread(notifications, a, "dave") == []  # did not vote
