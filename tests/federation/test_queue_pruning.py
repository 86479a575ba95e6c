"""Finished queue rows are forgotten after a week (fedi.federation.pruning): a received activity
once handled, raw body and all, and a published one once every delivery is done or failed, with
its deliveries; what is still to do stays, and so does everything younger than a week. An
activity received again after its row went is handled again without a second post."""

from __future__ import annotations

from datetime import datetime, timedelta

from fedi.core.ids import first_id_at, new_id
from fedi.core.timeutil import to_db, utcnow
from fedi.db import outbox_activities
from fedi.db.connection import Connection
from fedi.federation.pruning import KEEP, prune_round
from tests.testrig.rig import Rig, create, note


async def _count(rig: Rig, sql: str, *args: object) -> int:
    async with rig.context.db.read() as conn:
        cursor = await conn.execute(sql, args)
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_handled_activities_go_after_a_week_and_a_repeat_makes_no_second_post(
    rig: Rig,
) -> None:
    bob = rig.other.actor("bob")
    first = create(bob, note(bob, 1), n=1)
    assert (await rig.post(bob, first)).status_code == 202
    while await rig.process():
        pass
    waiting = create(bob, note(bob, 2), n=2)
    assert (await rig.post(bob, waiting)).status_code == 202  # stored, not handled yet
    assert await rig.stored(first["id"]) == ("done", None)

    assert await prune_round(rig.context, utcnow() + KEEP - timedelta(hours=1)) == 0
    assert await rig.stored(first["id"]) == ("done", None)  # younger than a week: kept

    assert await prune_round(rig.context, utcnow() + KEEP + timedelta(hours=1)) == 1
    assert await rig.stored(first["id"]) is None  # the raw activity is gone
    assert await rig.stored(waiting["id"]) == ("pending", None)  # still to do: kept
    posts = "SELECT count(*) FROM statuses WHERE uri = ?"
    assert await _count(rig, posts, first["object"]["id"]) == 1  # the post itself stays

    # The same activity again, as a sender retrying would send it: handled, nothing doubled.
    assert (await rig.post(bob, first)).status_code == 202
    while await rig.process():
        pass
    assert await rig.stored(first["id"]) == ("done", None)
    assert await rig.stored(waiting["id"]) == ("done", None)
    assert await _count(rig, posts, first["object"]["id"]) == 1
    mentions = "SELECT count(*) FROM notifications WHERE type = 'mention'"
    assert await _count(rig, mentions) == 2  # one per post


def _published(when: datetime, n: int) -> int:
    """An id made at `when` (the n-th of that millisecond)."""
    return first_id_at(int(when.timestamp() * 1000)) + n


async def test_published_activities_go_with_their_deliveries_once_none_is_queued(
    rig: Rig,
) -> None:
    async with rig.context.db.read() as conn:
        cursor = await conn.execute("SELECT id FROM accounts WHERE username = 'alice'")
        row = await cursor.fetchone()
    assert row is not None
    alice = int(row[0])
    now = utcnow()
    old = now - KEEP - timedelta(days=1)
    delivered, retrying, fresh, unsent = (
        _published(old, 1), _published(old, 2), new_id(), _published(old, 3)
    )  # fmt: skip
    at = to_db(old)
    # Each activity's deliveries to h0, h1 and h2.example.
    sent = {(a, k): new_id() for a in (delivered, retrying, fresh) for k in range(3)}

    def publish(conn: Connection) -> None:
        for activity in (delivered, retrying, fresh, unsent):
            outbox_activities.insert(
                conn, row_id=activity, activity_uri=f"https://fedi.test/a/{activity}",
                actor_id=alice, body={"type": "Create"}, audience={}, now=at,
            )  # fmt: skip
        for activity in (delivered, retrying, fresh):  # `unsent` is still to fan out
            outbox_activities.fan_out(
                conn, activity,
                [(sent[activity, k], f"https://h{k}.example/inbox", f"h{k}.example", {})
                 for k in range(3)],
                at,
            )  # fmt: skip
        ends = [sent[delivered, 0], sent[delivered, 1], sent[retrying, 0], *(
            sent[fresh, k] for k in range(3))]  # fmt: skip
        outbox_activities.record_attempts(
            conn, at, done=ends,
            failed=[(sent[delivered, 2], "gone"), (sent[retrying, 2], "refused")],
            later=[(sent[retrying, 1], "timed out", to_db(now), True)],
        )  # fmt: skip

    await rig.context.db.write(publish)
    assert await prune_round(rig.context, now) == 1
    left = "SELECT count(*) FROM outbox_activities WHERE id = ?"
    assert await _count(rig, left, delivered) == 0
    assert (
        await _count(rig, "SELECT count(*) FROM deliveries WHERE activity_id = ?", delivered) == 0
    )
    assert await _count(rig, left, retrying) == 1  # one delivery still queued
    assert await _count(rig, left, fresh) == 1  # younger than a week
    assert await _count(rig, left, unsent) == 1  # not fanned out yet
    assert await _count(rig, "SELECT count(*) FROM deliveries") == 6

    async with rig.context.db.read() as conn:  # the queued one is still due, and only it
        due = await outbox_activities.due_deliveries(conn, to_db(now), 10)
    assert [d.id for d in due] == [sent[retrying, 1]]
