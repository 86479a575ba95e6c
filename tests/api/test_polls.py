"""Polls through the client API: created with a post, shown in the status and alone, voted on,
ended (with `poll` notifications); as Mastodon.py uses them, and over plain HTTP for the wire
format and every refusal."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from mastodon import MastodonAPIError

from fedi.accounts.members import add_member
from fedi.core.timeutil import to_db, utcnow
from fedi.db import polls as db_polls
from fedi.relationships.relationships import follow
from fedi.statuses.poll_loop import PollLoop, tick
from tests.api.clients import logged_in
from tests.api.conftest import Served


async def token(served: Served, username: str = "alice", scopes: list[str] | None = None) -> str:
    def run() -> str:
        with logged_in(served.base, scopes or ["read", "write", "follow"], username) as client:
            return str(client.access_token)

    return await asyncio.to_thread(run)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def post_poll(
    served: Served, who: str, options: list[str], *, visibility: str = "public", **poll: Any
) -> dict[str, Any]:
    body = {
        "status": "Which one?",
        "visibility": visibility,
        "poll": {"options": options, "expires_in": 3600, **poll},
    }
    async with httpx.AsyncClient(base_url=served.base) as http:
        response = await http.post("/api/v1/statuses", json=body, headers=bearer(who))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def end_poll(served: Served, status_id: str) -> None:
    past = to_db(utcnow() - timedelta(seconds=1))
    await served.context.db.write(
        lambda conn: conn.execute(
            "UPDATE polls SET expires_at = ? WHERE status_id = ?", (past, int(status_id))
        )
    )


@pytest.fixture
async def members(served: Served) -> Served:
    await add_member(served.context, "bob", "bob-password")
    await add_member(served.context, "carol", "carol-password")
    return served


async def test_post_a_poll_vote_and_read_it_with_mastodon_py(members: Served) -> None:
    def alice_posts() -> Any:
        with logged_in(members.base) as alice:
            poll = alice.make_poll(["Tea", "Coffee", "Water"], expires_in=600)
            return alice.status_post("What do we serve?", poll=poll)

    posted = await asyncio.to_thread(alice_posts)
    poll = posted["poll"]
    assert poll["id"] == posted["id"]
    assert [o["title"] for o in poll["options"]] == ["Tea", "Coffee", "Water"]
    assert [o["votes_count"] for o in poll["options"]] == [0, 0, 0]
    assert poll["expired"] is False and poll["multiple"] is False
    assert poll["votes_count"] == 0 and poll["voters_count"] == 0
    assert poll["voted"] is True and poll["own_votes"] == []  # the author counts as voted
    assert poll["emojis"] == []
    assert 590 <= (poll["expires_at"] - posted["created_at"]).total_seconds() <= 610

    def bob_votes() -> tuple[Any, Any, Any]:
        with logged_in(members.base, username="bob") as bob:
            before = bob.poll(poll["id"])
            after = bob.poll_vote(poll["id"], 1)
            return before, after, bob.status(posted["id"])

    before, after, status = await asyncio.to_thread(bob_votes)
    assert before["voted"] is False and before["own_votes"] == []
    assert after["voted"] is True and after["own_votes"] == [1]
    assert [o["votes_count"] for o in after["options"]] == [0, 1, 0]
    assert after["votes_count"] == 1 and after["voters_count"] == 1
    assert status["poll"]["own_votes"] == [1]

    def alice_reads() -> Any:
        with logged_in(members.base) as alice:
            return alice.status(posted["id"])["poll"]

    seen = await asyncio.to_thread(alice_reads)
    assert seen["votes_count"] == 1 and seen["own_votes"] == []


async def test_multiple_choice_counts_voters_once(members: Served) -> None:
    alice = await token(members)
    posted = await post_poll(members, alice, ["A", "B", "C"], multiple=True)

    def votes() -> tuple[Any, Any, Any]:
        with logged_in(members.base, username="bob") as bob:
            first = bob.poll_vote(posted["id"], [0, 2])
            later = bob.poll_vote(posted["id"], [1])  # another option later is allowed
        with logged_in(members.base, username="carol") as carol:
            last = carol.poll_vote(posted["id"], [2])
        return first, later, last

    first, later, last = await asyncio.to_thread(votes)
    assert first["multiple"] is True and first["own_votes"] == [0, 2]
    assert later["own_votes"] == [0, 1, 2]
    assert [o["votes_count"] for o in last["options"]] == [1, 1, 2]
    assert last["votes_count"] == 4 and last["voters_count"] == 2
    assert last["own_votes"] == [2]


async def test_hidden_totals_show_only_to_the_author_until_the_end(members: Served) -> None:
    alice = await token(members)
    bob = await token(members, "bob")
    posted = await post_poll(members, alice, ["Yes", "No"], hide_totals=True)
    async with httpx.AsyncClient(base_url=members.base) as http:
        url = f"/api/v1/polls/{posted['id']}"
        voted = await http.post(f"{url}/votes", data={"choices[]": "0"}, headers=bearer(bob))
        assert voted.status_code == 200
        assert [o["votes_count"] for o in voted.json()["options"]] == [None, None]
        assert voted.json()["votes_count"] == 1
        author_view = (await http.get(url, headers=bearer(alice))).json()
        assert [o["votes_count"] for o in author_view["options"]] == [1, 0]
        await end_poll(members, posted["id"])
        ended = (await http.get(url)).json()
    assert ended["expired"] is True
    assert [o["votes_count"] for o in ended["options"]] == [1, 0]
    assert "voted" not in ended and "own_votes" not in ended  # nobody asked


async def test_poll_end_notifies_author_and_voters_exactly_once(members: Served) -> None:
    alice = await token(members)
    posted = await post_poll(members, alice, ["Now", "Later"])

    def vote() -> None:
        with logged_in(members.base, username="bob") as bob:
            bob.poll_vote(posted["id"], 0)

    await asyncio.to_thread(vote)
    now = utcnow()
    assert await tick(members.context, now) == 1  # the vote's count update, nobody remote
    assert await tick(members.context, now) == 0  # not ended yet
    assert await tick(members.context, now + timedelta(hours=2)) == 1
    assert await tick(members.context, now + timedelta(hours=3)) == 0

    def notifications(username: str) -> list[Any]:
        with logged_in(members.base, username=username) as client:
            return list(client.notifications(types=["poll"]))

    for username in ("alice", "bob"):
        found = await asyncio.to_thread(notifications, username)
        assert [(n["type"], n["status"]["id"]) for n in found] == [("poll", posted["id"])]
        assert found[0]["account"]["username"] == "alice"
    assert await asyncio.to_thread(notifications, "carol") == []


async def test_poll_bodies_as_form_multipart_and_json(served: Served) -> None:
    alice = await token(served)
    form = [
        ("status", "form poll"),
        ("poll[options][]", "One"),
        ("poll[options][]", "Two"),
        ("poll[expires_in]", "300"),
        ("poll[multiple]", "true"),
    ]
    async with httpx.AsyncClient(base_url=served.base, headers=bearer(alice)) as http:
        by_form = await http.post(
            "/api/v1/statuses",
            content=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        # Parts without a file name: multipart with text fields only, as apps send it.
        by_multipart = await http.post(
            "/api/v1/statuses",
            files=[(k, (None, v)) for k, v in form if k != "poll[multiple]"],
        )
        by_json = await http.post(
            "/api/v1/statuses/",
            json={"status": "json poll", "poll": {"options": ["A", "B"], "expires_in": "900"}},
        )
    for response in (by_form, by_multipart, by_json):
        assert response.status_code == 200, response.text
    assert by_form.json()["poll"]["multiple"] is True
    assert [o["title"] for o in by_multipart.json()["poll"]["options"]] == ["One", "Two"]
    assert by_json.json()["poll"]["multiple"] is False


@pytest.mark.parametrize(
    ("poll", "extra"),
    [
        ({"options": ["Only one"], "expires_in": 600}, {}),
        ({"options": ["A", "B", "C", "D", "E"], "expires_in": 600}, {}),
        ({"options": ["A", "x" * 51], "expires_in": 600}, {}),
        ({"options": ["A", "A"], "expires_in": 600}, {}),
        ({"options": ["A", "  "], "expires_in": 600}, {}),
        ({"options": ["A", {"title": "B"}], "expires_in": 600}, {}),
        ({"options": ["A", "B"], "expires_in": 299}, {}),
        ({"options": ["A", "B"], "expires_in": 2_629_747}, {}),
        ({"options": ["A", "B"], "expires_in": "9" * 5000}, {}),
        ({"options": ["A", "B"], "expires_in": "soon"}, {}),
        ({"options": ["A", "B"], "expires_in": True}, {}),
        ({"options": ["A", "B"]}, {}),
        ({"options": ["o"] * 10_000, "expires_in": 600}, {}),
        ({"options": ["A", "B"], "expires_in": 600}, {"media_ids": ["1"]}),
    ],
)
async def test_invalid_polls_are_422(served: Served, poll: dict[str, Any], extra: Any) -> None:
    alice = await token(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        response = await http.post(
            "/api/v1/statuses",
            json={"status": "Bad poll", "poll": poll, **extra},
            headers=bearer(alice),
        )
        home = await http.get("/api/v1/timelines/home", headers=bearer(alice))
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("Validation failed: ")
    assert home.json() == []  # nothing was posted


async def test_vote_refusals(members: Served) -> None:
    alice, bob = await token(members), await token(members, "bob")
    single = await post_poll(members, alice, ["A", "B"])
    ended = await post_poll(members, alice, ["A", "B"])
    await end_poll(members, ended["id"])
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        (alice, single["id"], {"choices[]": "0"}, "You cannot vote in your own polls"),
        (bob, single["id"], {"choices[]": ["0", "1"]}, "only one choice"),
        # Mastodon's words, which apps (toot) show and look for.
        (bob, single["id"], {"choices[]": "2"}, "The chosen vote option does not exist"),
        (bob, single["id"], {"choices[]": "-1"}, "The chosen vote option does not exist"),
        (bob, single["id"], {"choices[]": "x"}, "The chosen vote option does not exist"),
        (bob, single["id"], {}, "at least one choice"),
        (bob, ended["id"], {"choices[]": "0"}, "already ended"),
    ]
    async with httpx.AsyncClient(base_url=members.base) as http:
        for who, poll_id, data, message in cases:
            response = await http.post(
                f"/api/v1/polls/{poll_id}/votes", data=data, headers=bearer(who)
            )
            assert response.status_code == 422, (data, response.text)
            assert message in response.json()["error"]
        first = await http.post(
            f"/api/v1/polls/{single['id']}/votes/", json={"choices": [1]}, headers=bearer(bob)
        )
        again = await http.post(
            f"/api/v1/polls/{single['id']}/votes", json={"choices": [1]}, headers=bearer(bob)
        )
        nested = await http.post(
            f"/api/v1/polls/{single['id']}/votes", json={"choices": [[0]]}, headers=bearer(bob)
        )
        shown = (await http.get(f"/api/v1/polls/{single['id']}", headers=bearer(bob))).json()
    assert first.status_code == 200 and first.json()["own_votes"] == [1]
    assert again.status_code == 422 and "already voted" in again.json()["error"]
    assert nested.status_code == 422
    assert shown["votes_count"] == 1 and shown["voters_count"] == 1


async def test_other_members_private_polls_are_404_like_missing_ones(members: Served) -> None:
    alice = await token(members)
    bob_token, carol_token = await token(members, "bob"), await token(members, "carol")
    private = await post_poll(members, alice, ["A", "B"], visibility="private")
    await follow(members.context, "carol", f"alice@{members.context.settings.domain}")
    async with httpx.AsyncClient(base_url=members.base) as http:
        answers = [
            await http.get(f"/api/v1/polls/{private['id']}", headers=bearer(bob_token)),
            await http.get(f"/api/v1/polls/{private['id']}"),
            await http.post(
                f"/api/v1/polls/{private['id']}/votes", data={"choices[]": "0"},
                headers=bearer(bob_token),
            ),
            await http.get("/api/v1/polls/12345", headers=bearer(bob_token)),
            await http.get("/api/v1/polls/not-an-id"),
        ]  # fmt: skip
        follower = await http.post(
            f"/api/v1/polls/{private['id']}/votes",
            data={"choices[]": "0"},
            headers=bearer(carol_token),
        )
    assert [a.status_code for a in answers] == [404] * 5
    assert len({a.text for a in answers}) == 1
    assert follower.status_code == 200 and follower.json()["own_votes"] == [0]


async def test_scopes_and_tokens(members: Served) -> None:
    alice = await token(members)
    posted = await post_poll(members, alice, ["A", "B"])
    reader = await token(members, "bob", ["read"])
    granular = await token(members, "bob", ["write:statuses"])
    url = f"/api/v1/polls/{posted['id']}"
    async with httpx.AsyncClient(base_url=members.base) as http:
        wrong_scope = await http.post(
            f"{url}/votes", data={"choices[]": "0"}, headers=bearer(reader)
        )
        bad_token = await http.post(f"{url}/votes", data={"choices[]": "0"}, headers=bearer("x"))
        none = await http.post(f"{url}/votes", data={"choices[]": "0"})
        allowed = await http.post(f"{url}/votes", data={"choices[]": "0"}, headers=bearer(granular))
        anonymous = await http.get(url)
    assert wrong_scope.status_code == 403
    assert bad_token.status_code == 401 and none.status_code == 401
    assert allowed.status_code == 200
    assert anonymous.status_code == 200 and anonymous.json()["votes_count"] == 1


async def test_instance_announces_the_limits_it_enforces(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        limits = (await http.get("/api/v2/instance")).json()["configuration"]["polls"]
    alice = await token(served)
    too_many = [str(i) for i in range(limits["max_options"] + 1)]
    assert await post_poll(served, alice, too_many[:-1], expires_in=limits["max_expiration"])
    async with httpx.AsyncClient(base_url=served.base, headers=bearer(alice)) as http:
        refused = await http.post(
            "/api/v1/statuses",
            json={"status": "x", "poll": {"options": too_many, "expires_in": 600}},
        )
    assert refused.status_code == 422


async def test_mastodon_py_reports_a_second_vote(members: Served) -> None:
    alice = await token(members)
    posted = await post_poll(members, alice, ["A", "B"])

    def twice() -> None:
        with logged_in(members.base, username="bob") as bob:
            bob.poll_vote(posted["id"], 0)
            bob.poll_vote(posted["id"], 0)

    with pytest.raises(MastodonAPIError, match="already voted"):
        await asyncio.to_thread(twice)
    async with members.context.db.read() as conn:
        poll = await db_polls.get(conn, int(posted["id"]))
    assert poll is not None and [o.votes for o in poll.options] == [1, 0]


async def test_the_poll_loop_ends_polls_in_the_background_and_stops(served: Served) -> None:
    alice = await token(served)
    posted = await post_poll(served, alice, ["A", "B"])
    await end_poll(served, posted["id"])
    stop = asyncio.Event()
    task = asyncio.create_task(PollLoop(served.context).run(stop, interval=0.02))
    try:
        for _ in range(200):
            async with served.context.db.read() as conn:
                cursor = await conn.execute(
                    "SELECT closed_at FROM polls WHERE status_id = ?", (int(posted["id"]),)
                )
                row = await cursor.fetchone()
            if row is not None and row[0] is not None:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the poll loop did not end the poll")
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)
    async with served.context.db.read() as conn:
        cursor = await conn.execute("SELECT type FROM notifications")
        assert [row[0] for row in await cursor.fetchall()] == ["poll"]
