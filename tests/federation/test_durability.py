"""Profile updates, key rotation, a receiving server that is down for a while, and a sender
restarted with deliveries queued."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fedi.accounts.members import add_member
from fedi.accounts.profiles import rotate_key, update_profile
from fedi.core.models import Account
from fedi.db import accounts, outbox_activities, statuses
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.testrig.instances import Instance, federation, settle


async def remote_copy(instance: Instance, uri: str) -> Account:
    async with instance.ctx.db.read() as conn:
        account = await accounts.get_by_uri(conn, uri)
    assert account is not None
    return account


async def deliveries(instance: Instance) -> dict[str, int]:
    async with instance.ctx.db.read() as conn:
        return await outbox_activities.delivery_counts(conn)


async def test_profile_update_reaches_followers(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        alice = await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        await update_profile(
            a.ctx,
            "alice",
            display_name="Alice A.",
            note="Lawyer",
            fields=[("Site", "https://x.example")],
        )
        await settle(a, b)
        copy = await remote_copy(b, alice.account.uri)
        assert copy.display_name == "Alice A."
        assert copy.note == "<p>Lawyer</p>"
        assert copy.fields[0].name == "Site"


async def test_key_rotation_is_picked_up_after_one_refetch(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        alice = await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        old_key = (await remote_copy(b, alice.account.uri)).public_key_pem
        rotated = await rotate_key(a.ctx, "alice")
        await settle(a, b)
        assert (
            await remote_copy(b, alice.account.uri)
        ).public_key_pem == rotated.account.public_key_pem
        assert rotated.account.public_key_pem != old_key
        # Posts signed with the new key are accepted.
        status = await post_status(a.ctx, "alice", "Signed with my new key")
        await settle(a, b)
        async with b.ctx.db.read() as conn:
            assert await statuses.get_by_uri(conn, status.uri) is not None


async def test_a_receiver_down_for_a_while_gets_the_post_later(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        await b.go_offline()
        status = await post_status(a.ctx, "alice", "Are you there?")
        await settle(a, b)
        counts = await deliveries(a)
        assert counts.get("queued") == 1  # failed once, waiting for its retry
        a.clock.advance(timedelta(minutes=1))
        await settle(a, b)  # still down: a second failure
        await b.serve()
        a.clock.advance(timedelta(hours=1))
        await settle(a, b)
        assert (await deliveries(a)).get("queued") is None
        async with b.ctx.db.read() as conn:
            assert await statuses.get_by_uri(conn, status.uri) is not None


async def test_a_restarted_sender_delivers_its_queue_once(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        posted = [await post_status(a.ctx, "alice", f"Post {n}") for n in range(3)]
        # Alice's server stops before its outbox worker ran: everything is still queued.
        await a.stop()
        await a.start()
        await settle(a, b)
        uris = [
            r.activity["object"]["id"] for r in b.received if r.activity.get("type") == "Create"
        ]
        assert sorted(uris) == sorted(p.uri for p in posted)  # each exactly once
        await settle(a, b)
        again = [r for r in b.received if r.activity.get("type") == "Create"]
        assert len(again) == 3


async def test_a_permanent_refusal_is_not_retried(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        # Bob's server loses bob: his inbox now answers 404, a final answer.
        await b.ctx.db.write(
            lambda conn: conn.execute("DELETE FROM accounts WHERE username = 'bob'")
        )
        await a.ctx.db.write(
            lambda conn: conn.execute(
                "UPDATE accounts SET shared_inbox_uri = NULL WHERE domain IS NOT NULL"
            )
        )
        await post_status(a.ctx, "alice", "Into the void")
        await settle(a, b)
        counts = await deliveries(a)
        assert counts.get("failed") == 1 and "queued" not in counts
        async with a.ctx.db.read() as conn:
            cursor = await conn.execute(
                "SELECT attempts, last_error FROM deliveries WHERE state = 'failed'"
            )
            assert tuple(await cursor.fetchone() or ()) == (1, "HTTP 404")


async def test_a_failing_host_trips_the_breaker_and_waits_without_spending_attempts(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        await b.go_offline()
        # Five rounds in a row in which bob's server fails (a new post in each): the circuit
        # opens. Failures are counted per round, not per delivery.
        for n in range(5):
            await post_status(a.ctx, "alice", f"Post {n}")
            await settle(a, b)
        async with a.ctx.db.read() as conn:
            circuits = await outbox_activities.open_circuits(conn, "")
            cursor = await conn.execute("SELECT max(attempts) FROM deliveries")
            attempts_before = (await cursor.fetchone() or [0])[0]
        assert list(circuits) == [b.domain]
        for n in range(5, 8):  # posted while the circuit is open: they wait, spending nothing
            await post_status(a.ctx, "alice", f"Post {n}")
        await settle(a, b)
        async with a.ctx.db.read() as conn:
            cursor = await conn.execute(
                "SELECT max(attempts), sum(CASE WHEN attempts = 0 THEN 1 ELSE 0 END)"
                " FROM deliveries WHERE state = 'queued'"
            )
            assert tuple(await cursor.fetchone() or ()) == (attempts_before, 3)
        await b.serve()
        a.clock.advance(timedelta(hours=2))
        await settle(a, b)
        assert (await deliveries(a)).get("queued") is None
