"""Reports across servers, through Mastodon apps: a member of B reports a member of A with
`forward`, A receives a Flag signed by B's instance actor (never the reporter) and opens a report
its moderators see in the admin API and answer with a warning the member is notified of. A
private group's post is named only to servers that have it, never with its content
(security.md V10). A Flag from a domain whose reports are rejected opens nothing."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from mastodon import Mastodon

from fedi.accounts.members import add_member
from fedi.core.timeutil import to_db, utcnow
from fedi.db import groups as group_rows
from fedi.db import reports
from fedi.db.domain_rules import BlockFields
from fedi.db.reports import ReportQuery
from fedi.federation.publish import Audience, enqueue
from fedi.groups.groups import create_group
from fedi.moderation.domain_rules import block_domain
from tests.federation.test_api_across_instances import LoopbackNames
from tests.testrig.groups import approve_join, local_account
from tests.testrig.instances import Instance, Received, federation, settle

SCOPES = ["read", "write", "follow"]
STAFF_SCOPES = [*SCOPES, "admin:read", "admin:write"]
SECRET = "Witness statement W-17 is in the shared folder"


@contextmanager
def app_for(instance: Instance, username: str, scopes: list[str] = SCOPES) -> Iterator[Any]:
    with requests.Session() as session:
        session.mount("http://", LoopbackNames())
        client_id, secret = Mastodon.create_app(
            "tests", api_base_url=instance.base, scopes=scopes, session=session
        )
        client = Mastodon(
            client_id=client_id, client_secret=secret, api_base_url=instance.base, session=session
        )
        client.log_in(username, f"{username}-password", scopes=scopes, allow_http=True)
        yield client


def _queue(
    sender: Instance, flag: dict[str, Any], inbox: str, now: str
) -> Callable[[sqlite3.Connection], None]:
    def write(conn: sqlite3.Connection) -> None:
        enqueue(conn, sender.ctx.instance_actor.id, flag, Audience(inboxes=(inbox,)), now)

    return write


def flags(instance: Instance) -> list[Received]:
    return [r for r in instance.received if r.activity.get("type") == "Flag"]


async def _bob_reports_alice(a: Instance, b: Instance, comment: str) -> dict[str, Any]:
    def alice_posts() -> Any:
        with app_for(a, "alice") as alice:
            return alice.status_post("Buy cheap watches")

    post = await asyncio.to_thread(alice_posts)

    def bob_reports() -> Any:
        with app_for(b, "bob") as bob:
            found = bob.search_v2(post["url"], resolve=True)["statuses"]
            assert len(found) == 1
            return bob.report(found[0]["account"]["id"], [found[0]["id"]], comment, forward=True)

    report = await asyncio.to_thread(bob_reports)
    await settle(a, b)
    return {"post": post, "report": report}


async def test_forwarded_report_reaches_a_as_the_instance_actors_flag(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(a.ctx, "root", "root-password", "moderator")
        await add_member(b.ctx, "bob", "bob-password")
        seen = await _bob_reports_alice(a, b, "spam from your member")
        assert seen["report"]["forwarded"] is True

        [flag] = flags(a)
        bob_actor = f"{b.base}/users/bob"
        assert flag.activity["actor"] == b.ctx.instance_actor.uri
        assert flag.activity["object"] == [f"{a.base}/users/alice", seen["post"]["uri"]]
        assert flag.activity["content"] == "spam from your member"
        assert bob_actor not in json.dumps(flag.activity)  # no reporter identity
        assert "Buy cheap watches" not in json.dumps(flag.activity)
        assert b.ctx.instance_actor.uri in flag.headers["signature"]

        def moderator_reads_and_warns() -> dict[str, Any]:
            with app_for(a, "root", STAFF_SCOPES) as root:
                listed = root.admin_reports()
                root.admin_account_moderate(
                    listed[0]["target_account"]["id"], report_id=listed[0]["id"],
                    text="no advertising here",
                )  # fmt: skip
                after = root.admin_report(listed[0]["id"])
            with app_for(a, "alice") as alice:
                warned = alice.notifications(types=["moderation_warning"])
            return locals()

        read = await asyncio.to_thread(moderator_reads_and_warns)
        [opened] = read["listed"]
        assert opened["target_account"]["username"] == "alice"
        assert opened["account"]["domain"] == b.domain  # the sending server's instance actor
        assert opened["account"]["username"] != "bob"
        assert opened["comment"] == "spam from your member"
        assert [s["uri"] for s in opened["statuses"]] == [seen["post"]["uri"]]
        assert read["after"]["action_taken"] is True
        [warning] = read["warned"]
        assert warning["moderation_warning"]["text"] == "no advertising here"
        assert warning["moderation_warning"]["action"] == "none"


async def test_flag_from_a_domain_whose_reports_are_rejected_is_ignored(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await block_domain(
            a.ctx, None, "bob.test", BlockFields(severity="noop", reject_reports=True)
        )
        await _bob_reports_alice(a, b, "ignored")
        assert len(flags(a)) == 1
        async with a.ctx.db.read() as conn:
            assert await reports.page(conn, ReportQuery()) == []


async def test_flags_naming_nothing_of_ours_open_nothing(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        bob = await local_account(b.ctx, "bob")
        now = to_db(utcnow())
        for n, named in enumerate(
            ([bob.uri], [f"{a.base}/users/nobody"], "not a list", [{"no": "id"}], [])
        ):
            flag = {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{b.base}/flags/test-{n}", "type": "Flag",
                "actor": b.ctx.instance_actor.uri, "object": named, "content": "x",
            }  # fmt: skip
            await b.ctx.db.write(_queue(b, flag, f"{a.base}/inbox", now))
        await settle(a, b)
        assert len(flags(a)) == 5
        async with a.ctx.db.read() as conn:
            assert await reports.page(conn, ReportQuery()) == []
            cursor = await conn.execute(
                "SELECT count(*) FROM inbox_activities WHERE state = 'done'"
            )
            row = await cursor.fetchone()
        assert row is not None and row[0] >= 5


async def test_private_group_post_is_named_only_to_servers_that_have_it(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        await add_member(a.ctx, "anna", "anna-password")
        await add_member(b.ctx, "bob", "bob-password")
        await add_member(b.ctx, "bea", "bea-password")
        await add_member(c.ctx, "carl", "carl-password")
        group = await create_group(a.ctx, "casework", "anna", is_private=True)
        now = to_db(utcnow())
        await a.ctx.db.write(
            lambda conn: group_rows.add_partner_domain(conn, group.id, b.domain, now)
        )

        def join_and_post() -> None:
            with app_for(b, "bob") as bob:
                found = bob.search_v2(a.handle("casework"), resolve=True)["accounts"]
                bob.account_follow(found[0]["id"])
                bob.search_v2(c.handle("carl"), resolve=True)  # B knows a server without members

        await asyncio.to_thread(join_and_post)
        await settle(a, b, c)
        async with a.ctx.db.read() as conn:
            waiting = await group_rows.members(conn, group.id, "pending")
        assert [x.username for x in waiting] == ["bob"]
        anna = await local_account(a.ctx, "anna")
        await approve_join(a.ctx, group, waiting[0], moderator=anna)
        await settle(a, b, c)

        def bob_posts() -> None:
            with app_for(b, "bob") as bob:
                bob.status_post(f"@casework@{a.domain} {SECRET}")

        def bob_reports() -> Any:
            with app_for(b, "bob") as bob:
                home = bob.timeline_home()
                copies = [s for s in home if s["account"]["acct"] == f"casework@{a.domain}"]
                assert len(copies) == 1, home
                copy = copies[0]
                return bob.report(
                    copy["account"]["id"], [copy["id"]], "please look", forward=True,
                    forward_to_domains=[c.domain],
                ), copy  # fmt: skip

        await asyncio.to_thread(bob_posts)
        await settle(a, b, c)
        report, copy = await asyncio.to_thread(bob_reports)
        await settle(a, b, c)
        assert report["forwarded"] is True
        [to_a] = flags(a)
        [to_c] = flags(c)
        group_uri = f"{a.base}/users/casework"
        assert to_a.activity["object"] == [group_uri, copy["uri"]]
        assert to_c.activity["object"] == [group_uri]  # C has no member: the post is not named
        for flag in (to_a, to_c):
            assert flag.activity["actor"] == b.ctx.instance_actor.uri
            assert SECRET not in json.dumps(flag.activity)
            assert f"{b.base}/users/bob" not in json.dumps(flag.activity)
