"""`status` and `update` notifications: following with notify=true (Mastodon's bell) tells of each
new post, local or arriving by the inbox; boosting a post tells of its edits. Through Mastodon.py
as an app uses them, and over the inbox for remote posts."""

from __future__ import annotations

import asyncio
from typing import Any

import requests

from fedi.accounts.members import add_member, get_member
from fedi.db import follows
from fedi.federation.remote_accounts import get_actor
from fedi.relationships.relationships import follow
from fedi.relationships.subscriptions import set_subscription
from fedi.statuses.interactions import boost
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.testrig.rig import Rig, create, note


def kinds(items: list[Any]) -> list[str]:
    return [n["type"] for n in items]


async def test_the_bell_tells_of_each_new_post(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")

    def run() -> dict[str, Any]:
        with logged_in(served.base) as alice, logged_in(served.base, username="bob") as bob:
            alice_id = alice.me()["id"]
            out: dict[str, Any] = {"on": bob.account_follow(alice_id, notify=True)}
            out["relationship"] = bob.account_relationships(alice_id)[0]
            post = alice.status_post("News from the field")
            alice.status_post("Only for bob", visibility="direct")
            bob_post = bob.status_post("A question")
            alice.status_post("@bob an answer", in_reply_to_id=bob_post["id"])  # not news
            alice.status_post("A thread continues", in_reply_to_id=post["id"])  # news
            out["statuses"] = bob.notifications(types=["status"])
            out["without"] = bob.notifications(exclude_types=["status"])
            # Mastodon.py always sends notify; an app that leaves it out keeps the bell as it is.
            out["kept"] = requests.post(
                f"{served.base}/api/v1/accounts/{alice_id}/follow",
                headers={"Authorization": f"Bearer {bob.access_token}"},
                timeout=10,
            ).json()
            out["off"] = bob.account_follow(alice_id, notify=False)
            alice.status_post("Said after the bell was turned off")
            out["after"] = bob.notifications(types=["status"])
            return out

    out = await asyncio.to_thread(run)
    assert out["on"]["notifying"] is True and out["on"]["following"] is True
    assert out["relationship"]["notifying"] is True
    assert kinds(out["statuses"]) == ["status", "status"]
    texts = [n["status"]["content"] for n in out["statuses"]]
    assert texts == ["<p>A thread continues</p>", "<p>News from the field</p>"]
    assert all(n["account"]["username"] == "alice" for n in out["statuses"])
    assert "status" not in kinds(out["without"]) and "mention" in kinds(out["without"])
    assert out["kept"]["notifying"] is True
    assert out["off"]["notifying"] is False
    assert len(out["after"]) == 2


async def test_boosters_hear_of_an_edit(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")

    def run() -> tuple[list[Any], list[Any]]:
        with logged_in(served.base) as alice, logged_in(served.base, username="bob") as bob:
            post = alice.status_post("First version")
            bob.status_reblog(post["id"])
            alice.status_update(post["id"], "Second version")
            return bob.notifications(types=["update"]), alice.notifications(types=["update"])

    to_bob, to_alice = await asyncio.to_thread(run)
    assert kinds(to_bob) == ["update"]
    assert to_bob[0]["status"]["content"] == "<p>Second version</p>"
    assert to_bob[0]["account"]["username"] == "alice"
    assert to_alice == []  # nobody is told of their own edit


async def test_remote_posts_and_edits_notify_too(rig: Rig) -> None:
    author = rig.victim.actor("author")
    actor = await get_actor(rig.context, author.uri)
    alice = await get_member(rig.context, "alice")
    await follow(rig.context, "alice", actor)  # pending until the remote server accepts
    await rig.context.db.write(
        lambda conn: follows.set_state(conn, alice.account.id, actor.id, "accepted")
    )
    await set_subscription(rig.context, alice.account.id, actor.id, True)
    public = ["https://www.w3.org/ns/activitystreams#Public"]
    post = note(author, to=public, cc=[f"{author.uri}/followers"], tag=[])
    shared = "https://fedi.test/inbox"
    assert (await rig.post(author, create(author, post), url=shared)).status_code == 202
    await rig.process()
    again = create(author, post, 2)  # the same post sent twice is one notification
    assert (await rig.post(author, again, url=shared)).status_code == 202
    await rig.process()
    async with rig.context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT n.type, s.uri FROM notifications n JOIN statuses s ON s.id = n.status_id"
            " WHERE n.account_id = ?",
            (alice.account.id,),
        )
        found = [tuple(row) for row in await cursor.fetchall()]
    assert found == [("status", post["id"])]

    async with rig.context.db.read() as conn:
        cursor = await conn.execute("SELECT id FROM statuses WHERE uri = ?", (post["id"],))
        row = await cursor.fetchone()
    assert row is not None
    await boost(rig.context, "alice", row[0])
    edited = post | {"content": "<p>corrected</p>", "updated": "2030-01-01T00:00:00Z"}
    update = {"id": f"{rig.victim.base}/updates/1", "type": "Update", "actor": author.uri,
              "to": public, "object": edited}  # fmt: skip
    assert (await rig.post(author, update, url=shared)).status_code == 202
    await rig.process()
    async with rig.context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT type FROM notifications WHERE account_id = ? ORDER BY id", (alice.account.id,)
        )
        assert [r[0] for r in await cursor.fetchall()] == ["status", "update"]
