"""A receiving server that fails and recovers, as the outbox's circuit breaker sees it: failures
count once per host per delivery round, a paused host gets one probe when each pause ends (the
pause doubling to a ceiling), and a host that answers again gets what it missed at once.

alice.test is a full instance; down.test is a scripted server whose followers of alice each have
their own inbox there, and which answers every POST with the status the test chooses. The
outbox runs on alice's injected clock, so no test waits on a real timer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.members import add_member
from fedi.core.timeutil import from_db
from fedi.db import follows, outbox_activities
from fedi.statuses.posting import post_status
from outbox.retry import BREAKER_CEILING, BREAKER_THRESHOLD
from tests.testrig.fake_remote import AS_TYPE, FakeRemote, RemoteActor
from tests.testrig.instances import Instance, federation, settle


class FlakyRemote(FakeRemote):
    """A scripted server whose inboxes answer each POST with `status` (or `status_for` a path),
    counting every POST it gets, answered or not."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.status = 202
        self.status_for: dict[str, int] = {}
        self.tries: list[str] = []

    async def _serve(self, request: Request) -> Response:
        if request.method == "POST":
            self.tries.append(request.url.path)
            status = self.status_for.get(request.url.path, self.status)
            if status != 202:
                return Response(status_code=status)
        return await super()._serve(request)

    def creates(self) -> list[str]:
        """The inboxes that accepted a Create, one entry per delivery."""
        return sorted(path for path, activity in self.posted if activity.get("type") == "Create")


@asynccontextmanager
async def world(tmp_path: Path, followers: int) -> AsyncIterator[tuple[Instance, FlakyRemote]]:
    """alice on alice.test, followed by `followers` accounts of down.test, each with its own
    inbox (no shared inbox): one post makes that many deliveries to one host."""
    remote = FlakyRemote("down")
    await remote.start()
    try:
        async with federation(tmp_path, "alice", remotes=("down",)) as (a,):
            alice = await add_member(a.ctx, "alice", "alice-password")
            for n in range(followers):
                actor = remote.actor(f"f{n}", endpoints={})
                await follow(a, actor, alice.account.uri, n)
            await settle(a)
            async with a.ctx.db.read() as conn:
                inboxes = await follows.follower_inboxes(conn, alice.account.id)
            assert len(inboxes) == followers
            remote.tries.clear()  # the Accepts of those follows
            yield a, remote
    finally:
        await remote.stop()


async def follow(a: Instance, actor: RemoteActor, target: str, n: int) -> None:
    """The remote actor's signed Follow of target, POSTed to alice.test over real HTTP."""
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.uri}/follows/{n}",
        "type": "Follow",
        "actor": actor.uri,
        "object": target,
    }
    body = json.dumps(activity).encode()
    path = "/users/alice/inbox"
    headers = actor.sign("POST", f"{a.base}{path}", body)
    headers["Content-Type"] = AS_TYPE
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"http://127.0.0.1:{a.port}{path}", content=body, headers=headers
        )
    assert answer.status_code == 202, answer.text


async def circuit(a: Instance, remote: FakeRemote) -> tuple[int, timedelta | None]:
    """The remote's failed rounds in a row, and how long its circuit stays open from now."""
    async with a.ctx.db.read() as conn:
        cursor = await conn.execute(
            "SELECT consecutive_failures, open_until FROM hosts WHERE host = ?", (remote.domain,)
        )
        row = await cursor.fetchone()
    assert row is not None
    return row[0], None if row[1] is None else from_db(row[1]) - a.clock()


async def queued(a: Instance) -> int:
    async with a.ctx.db.read() as conn:
        return (await outbox_activities.delivery_counts(conn)).get("queued", 0)


async def test_ten_failures_in_one_round_cost_one_short_pause_not_half_an_hour(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, followers=10) as (a, remote):
        remote.status = 503
        await post_status(a.ctx, "alice", "Hello, ten inboxes on one server")
        await settle(a)
        # One failed round, however many of its deliveries failed: the circuit stays closed.
        # (Before: ten failures counted one by one paused the host for 32 minutes.)
        assert await circuit(a, remote) == (1, None)
        # The host failed: the round stopped sending to it after a few requests.
        assert 1 <= len(remote.tries) <= 4
        assert remote.creates() == []
        remote.status = 202  # the server is back
        a.clock.advance(timedelta(seconds=75))  # the first retry: 1 minute, +-25 %
        await settle(a)
        assert remote.creates() == sorted(f"/users/f{n}/inbox" for n in range(10))
        assert await queued(a) == 0
        assert await circuit(a, remote) == (0, None)


async def test_an_answer_in_a_round_resets_the_count(tmp_path: Path) -> None:
    async with world(tmp_path, followers=2) as (a, remote):
        remote.status = 503
        for n in range(BREAKER_THRESHOLD - 1):  # one failed round short of the breaker
            await post_status(a.ctx, "alice", f"Post {n}")
            await settle(a)
        assert await circuit(a, remote) == (BREAKER_THRESHOLD - 1, None)
        remote.status_for["/users/f0/inbox"] = 202  # one inbox works again, the other not yet
        await post_status(a.ctx, "alice", "And one more")
        await settle(a)
        assert await circuit(a, remote) == (0, None)


async def test_a_host_still_down_gets_one_probe_per_pause_and_its_mail_once_it_answers(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, followers=3) as (a, remote):
        remote.status = 503
        for n in range(BREAKER_THRESHOLD):  # failed rounds in a row, a new post in each
            await post_status(a.ctx, "alice", f"Post {n}")
            await settle(a)
        failed, pause = await circuit(a, remote)
        assert failed == BREAKER_THRESHOLD
        assert pause is not None and timedelta(seconds=55) < pause <= timedelta(minutes=1)
        for n in range(BREAKER_THRESHOLD, 10):  # mail piles up while the circuit is open
            await post_status(a.ctx, "alice", f"Post {n}")
        tries = len(remote.tries)
        await settle(a)
        assert len(remote.tries) == tries  # held back: no request
        # Each pause ends with exactly one probe, however much is due; a failed probe doubles
        # the pause, up to the ceiling.
        for minutes in (1, 2, 4, 8, 15, 15):
            failed, pause = await circuit(a, remote)
            assert pause is not None
            assert timedelta(minutes=minutes) - timedelta(seconds=5) < pause
            assert pause <= timedelta(minutes=minutes)
            a.clock.advance(pause - timedelta(seconds=5))
            await settle(a)
            assert len(remote.tries) == tries  # not yet
            a.clock.advance(timedelta(seconds=6))
            await settle(a)
            assert len(remote.tries) == tries + 1  # the probe, and only it
            tries += 1
        _, pause = await circuit(a, remote)  # at the ceiling, where it stays
        assert pause is not None
        assert BREAKER_CEILING - timedelta(seconds=5) < pause <= BREAKER_CEILING
        # The server is back: the next probe succeeds and everything else goes at once, even
        # the deliveries whose own backoff had hours to run.
        remote.status = 202
        a.clock.advance(pause + timedelta(seconds=1))
        await settle(a)
        expected = sorted(f"/users/f{i}/inbox" for i in range(3) for _ in range(10))
        assert remote.creates() == expected
        assert await queued(a) == 0
        assert await circuit(a, remote) == (0, None)
