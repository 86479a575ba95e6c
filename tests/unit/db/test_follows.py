"""follower_inboxes, the fan-out's audience query: one inbox per remote server following an
account (its shared inbox when it has one), read from covering indexes only."""

from __future__ import annotations

import sqlite3

import aiosqlite
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import RemoteActor
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows
from tests.testrig.keys import next_keypair


def remote(username: str, domain: str, *, shared: bool) -> RemoteActor:
    uri = f"https://{domain}/users/{username}"
    return RemoteActor(
        uri=uri, actor_type="Person", username=username, domain=domain, display_name="",
        note="", fields=(), url=None, inbox_uri=f"{uri}/inbox",
        shared_inbox_uri=f"https://{domain}/inbox" if shared else None, outbox_uri=None,
        followers_uri=None, following_uri=None, featured_uri=None,
        public_key_id=f"{uri}#main-key", public_key_pem=next_keypair().public_pem,
        avatar_remote_url=None, header_remote_url=None, is_locked=False, is_bot=False,
        is_discoverable=True, also_known_as=(), moved_to_uri=None,
    )  # fmt: skip


async def followed_by(context: Context, followed_id: int, *actors: tuple[RemoteActor, str]) -> None:
    now = to_db(utcnow())

    def write(conn: sqlite3.Connection) -> None:
        for actor, state in actors:
            follower_id = accounts.upsert_remote(conn, actor, now, accept_new_key=True)
            follows.insert_follow(
                conn,
                follow_id=ids.new_id(),
                follower_id=follower_id,
                followed_id=followed_id,
                uri=None,
                state=state,
                created_at=now,
            )
            if actor.username == "suspended":
                accounts.set_suspended(conn, follower_id, now)

    await context.db.write(write)


async def test_one_inbox_per_server_the_shared_one_first(context: Context) -> None:
    author = await add_member(context, "author", "correct horse battery")
    await followed_by(
        context,
        author.account.id,
        (remote("a", "one.example", shared=True), "accepted"),
        (remote("b", "one.example", shared=True), "accepted"),
        (remote("c", "two.example", shared=False), "accepted"),
        (remote("d", "three.example", shared=True), "pending"),
        (remote("suspended", "four.example", shared=True), "accepted"),
    )
    async with context.db.read() as conn:
        found = await follows.follower_inboxes(conn, author.account.id)
    assert sorted(found) == ["https://one.example/inbox", "https://two.example/users/c/inbox"]


@pytest.mark.sqlite_only
async def test_the_audience_is_read_from_covering_indexes(context: Context) -> None:
    author = await add_member(context, "author", "correct horse battery")
    await followed_by(
        context, author.account.id, (remote("a", "one.example", shared=True), "accepted")
    )
    async with context.db.read() as conn:
        assert isinstance(conn, aiosqlite.Connection)
        ran: list[str] = []
        await conn.set_trace_callback(ran.append)
        await follows.follower_inboxes(conn, author.account.id)
        await conn.set_trace_callback(lambda statement: None)
        (statement,) = ran
        cursor = await conn.execute(f"EXPLAIN QUERY PLAN {statement}")
        plan = " | ".join(str(row[3]) for row in await cursor.fetchall())
    assert "COVERING INDEX follows_followed_follower" in plan, plan
    assert "COVERING INDEX accounts_inboxes" in plan, plan
