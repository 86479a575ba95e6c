"""The inbox worker in batches, against a full instance served over real HTTP: signed activities
from actors on stand-in remote servers are POSTed to its shared inbox, then one run of the worker
(with the instance's injected clock) handles them all. A burst from several actors ends in the
right state with each signer's key fetched once; activities on one object keep their received
order inside a batch; a failing activity neither stops nor loses the others and is retried;
a duplicate is handled once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.core.models import Status
from fedi.db import accounts, follows, inbox_activities, interactions, statuses
from fedi.statuses.posting import post_status
from inbox.worker import InboxWorker, retry_delay
from tests.testrig.fake_remote import FakeRemote, RemoteActor
from tests.testrig.instances import Instance, federation

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass
class Inbound:
    home: Instance
    remotes: list[FakeRemote]
    http: httpx.AsyncClient
    alice: str  # the local member's id

    async def post(self, actor: RemoteActor, activity: dict[str, Any]) -> int:
        body = json.dumps(activity).encode()
        headers = actor.sign("POST", f"{self.home.base}/inbox", body)
        response = await self.http.post("/inbox", content=body, headers=headers)
        return response.status_code

    async def run_worker(self) -> int:
        """One batch, as the running worker takes it."""
        return await InboxWorker(self.home.ctx, self.home.clock).run_once()

    async def post_of(self, uri: str) -> Status | None:
        async with self.home.ctx.db.read() as conn:
            return await statuses.get_by_uri(conn, uri)

    async def row_of(self, activity_id: str) -> tuple[str, int, str] | None:
        """State, attempts and next attempt of a stored activity."""
        row = await self.home.ctx.db.write(
            lambda conn: conn.execute(
                "SELECT state, attempts, next_attempt_at FROM inbox_activities"
                " WHERE activity_uri = ?",
                (activity_id,),
            ).fetchone()
        )
        return None if row is None else (row[0], row[1], row[2])

    async def states(self) -> dict[str, int]:
        rows = await self.home.ctx.db.write(
            lambda conn: conn.execute(
                "SELECT state, count(*) FROM inbox_activities GROUP BY state"
            ).fetchall()
        )
        return {state: n for state, n in rows}


@pytest.fixture
async def inbound(tmp_path: Path) -> AsyncIterator[Inbound]:
    names = ("north", "south", "west")
    remotes = [FakeRemote(name) for name in names]
    for remote in remotes:
        await remote.start()
    try:
        async with federation(tmp_path, "home", remotes=names) as (home,):
            alice = await add_member(home.ctx, "alice", "alice-password")
            loopback = f"http://127.0.0.1:{home.port}"  # home.test resolves for the servers only
            async with httpx.AsyncClient(base_url=loopback) as http:
                yield Inbound(home, remotes, http, alice.account.uri)
    finally:
        for remote in remotes:
            await remote.stop()


def note(actor: RemoteActor, n: int, alice: str, content: str = "hello") -> dict[str, Any]:
    return {
        "id": f"{actor.uri}/notes/{n}",
        "type": "Note",
        "attributedTo": actor.uri,
        "content": f"<p>{content}</p>",
        "to": [PUBLIC],
        "cc": [alice],
        "tag": [{"type": "Mention", "href": alice, "name": "@alice"}],
    }


def wrap(kind: str, actor: RemoteActor, obj: Any, suffix: str) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.uri}/activities/{suffix}",
        "type": kind,
        "actor": actor.uri,
        "to": [PUBLIC],
        "object": obj,
    }


async def test_a_burst_from_several_actors_is_handled_in_one_batch(inbound: Inbound) -> None:
    actors = [remote.actor(f"user{i}") for remote in inbound.remotes for i in range(2)]
    liked = await post_status(inbound.home.ctx, "alice", "Like me", "public")
    burst: list[tuple[RemoteActor, dict[str, Any]]] = []
    for actor in actors:
        for n in range(12):
            burst.append((actor, wrap("Create", actor, note(actor, n, inbound.alice), f"c{n}")))
        burst.append((actor, wrap("Like", actor, liked.uri, "like")))
        burst.append((actor, wrap("Follow", actor, inbound.alice, "follow")))
    # All at once, as a busy server's deliveries arrive: verified side by side.
    answers = await asyncio.gather(*(inbound.post(actor, a) for actor, a in burst))
    assert set(answers) == {202}
    # The same activity again is answered alike and stored once.
    assert await inbound.post(*burst[0]) == 202

    commits: list[int] = []

    def count(conn: sqlite3.Connection) -> None:
        commits.append(1)

    inbound.home.ctx.db.add_commit_hook(count)
    assert await inbound.run_worker() == len(burst)
    # The handlers' writes and the outcomes share commits: a few rounds for the whole batch,
    # not one or two commits per activity.
    assert len(commits) <= len(burst) // 4
    assert await inbound.run_worker() == 0
    assert await inbound.states() == {"done": len(burst)}
    for actor in actors:
        for n in range(12):
            stored = await inbound.post_of(f"{actor.uri}/notes/{n}")
            assert stored is not None and stored.content == "<p>hello</p>"
    async with inbound.home.ctx.db.read() as conn:
        alice = await accounts.get_by_uri(conn, inbound.alice)
        assert alice is not None
        assert len(await interactions.favourited_by(conn, liked.id, 100)) == len(actors)
        for actor in actors:
            account = await accounts.get_by_uri(conn, actor.uri)
            assert account is not None
            follow = await follows.get_follow(conn, account.id, alice.id)
            assert follow is not None and follow[2] == "accepted"
    rows = await inbound.home.ctx.db.write(
        lambda conn: conn.execute(
            "SELECT type, count(*) FROM notifications GROUP BY type ORDER BY type"
        ).fetchall()
    )
    assert dict(rows) == {"favourite": 6, "follow": 6, "mention": 6 * 12}
    # Each signer's key was fetched once, however many of its requests came at once.
    for remote in inbound.remotes:
        assert sorted(remote.requests) == ["/users/user0", "/users/user1"]


async def test_one_objects_activities_keep_their_order_in_a_batch(inbound: Inbound) -> None:
    north, south = inbound.remotes[0], inbound.remotes[1]
    author, fan = north.actor("author"), south.actor("fan")
    liked = await post_status(inbound.home.ctx, "alice", "Like me", "public")
    first, second = note(author, 1, inbound.alice), note(author, 2, inbound.alice)
    follow = wrap("Follow", fan, inbound.alice, "follow")
    like = wrap("Like", fan, liked.uri, "like")
    received = [
        (author, wrap("Create", author, first, "create-1")),
        (fan, follow),
        (author, wrap("Create", author, second, "create-2")),
        (fan, like),
        (author, wrap("Update", author, {**first, "content": "<p>edited</p>"}, "update-1")),
        (fan, wrap("Undo", fan, follow, "undo-follow")),
        (author, wrap("Update", author, {**second, "content": "<p>edited</p>"}, "update-2")),
        (fan, wrap("Undo", fan, like["id"], "undo-like")),  # by reference
        (author, wrap("Delete", author, first["id"], "delete-1")),
    ]
    for actor, activity in received:  # one after the other: this is the received order
        assert await inbound.post(actor, activity) == 202

    assert await inbound.run_worker() == len(received)  # all in one batch
    assert await inbound.states() == {"done": len(received)}
    assert await inbound.post_of(first["id"]) is None  # created, edited, then deleted
    async with inbound.home.ctx.db.read() as conn:
        assert await statuses.is_tombstoned(conn, first["id"])
        fan_account = await accounts.get_by_uri(conn, fan.uri)
        alice = await accounts.get_by_uri(conn, inbound.alice)
        assert fan_account is not None and alice is not None
        assert await follows.get_follow(conn, fan_account.id, alice.id) is None  # followed, undone
        assert await interactions.favourited_by(conn, liked.id, 10) == []  # liked, undone
    edited = await inbound.post_of(second["id"])
    assert edited is not None and edited.content == "<p>edited</p>"


async def test_a_failing_activity_neither_stops_nor_loses_the_others(inbound: Inbound) -> None:
    north, west = inbound.remotes[0], inbound.remotes[2]
    author, other = north.actor("author"), west.actor("other")
    # A Create naming its post by reference, while the post's server cannot serve it yet.
    away = f"{north.base}/notes/away"
    north.put("/notes/away", {"error": "unavailable"}, status=503)
    failing = wrap("Create", author, away, "create-away")
    fine = [wrap("Create", other, note(other, n, inbound.alice), f"c{n}") for n in range(5)]
    assert await inbound.post(author, failing) == 202
    for activity in fine:
        assert await inbound.post(other, activity) == 202

    assert await inbound.run_worker() == 6
    for activity in fine:
        assert await inbound.post_of(activity["object"]["id"]) is not None
    state, attempts, later = await inbound.row_of(failing["id"]) or ("", 0, "")
    assert (state, attempts) == ("pending", 1)
    assert await inbound.run_worker() == 0  # not due before its retry time

    # The post's server is back; once the retry is due, the Create is handled.
    north.put("/notes/away", note(author, 99, inbound.alice) | {"id": away})
    inbound.home.clock.advance(retry_delay(0) + timedelta(seconds=1))
    assert await inbound.run_worker() == 1
    assert (await inbound.row_of(failing["id"]) or ("",))[0] == "done"
    stored = await inbound.post_of(away)
    assert stored is not None
    assert later > (await inbound.row_of(fine[0]["id"]) or ("", 0, ""))[2]


async def test_an_activity_waiting_on_a_failing_one_still_runs(inbound: Inbound) -> None:
    north = inbound.remotes[0]
    author = north.actor("author")
    away = f"{north.base}/notes/away"
    north.put("/notes/away", {"error": "unavailable"}, status=503)
    # Same object: the Delete waits for the Create, which fails for now; the Delete still runs
    # (as it would have after it), and the post, once it can be fetched, is not brought back.
    assert await inbound.post(author, wrap("Create", author, away, "create-away")) == 202
    assert await inbound.post(author, wrap("Delete", author, away, "delete-away")) == 202
    assert await inbound.run_worker() == 2
    assert await inbound.states() == {"done": 1, "pending": 1}
    async with inbound.home.ctx.db.read() as conn:
        assert await inbox_activities.state_of(conn, f"{author.uri}/activities/delete-away") == (
            "done",
            None,
        )
        assert await statuses.is_tombstoned(conn, away)
    north.put("/notes/away", note(author, 99, inbound.alice) | {"id": away})
    inbound.home.clock.advance(retry_delay(0) + timedelta(seconds=1))
    assert await inbound.run_worker() == 1
    assert await inbound.states() == {"done": 2}
    assert await inbound.post_of(away) is None


async def test_an_actors_own_deletion_holds_back_its_later_activities(inbound: Inbound) -> None:
    north = inbound.remotes[0]
    author = north.actor("author")
    before, after = note(author, 1, inbound.alice), note(author, 2, inbound.alice)
    received = [
        wrap("Create", author, before, "create-1"),
        wrap("Delete", author, author.uri, "delete-self"),
        wrap("Create", author, after, "create-2"),  # signed while the actor still existed
    ]
    for activity in received:
        assert await inbound.post(author, activity) == 202

    assert await inbound.run_worker() == 3
    # The deletion ran after the first post and before the second, which found no actor.
    assert await inbound.states() == {"done": 3}
    assert await inbound.post_of(before["id"]) is None
    assert await inbound.post_of(after["id"]) is None
    async with inbound.home.ctx.db.read() as conn:
        assert await accounts.get_by_uri(conn, author.uri) is None
