"""Reports through Mastodon.py: a member reports an account and its posts (`report()`), and staff
work on the report with the admin methods (list, one, assign, unassign, resolve, reopen), every
step in the audit log; members and tokens without the admin scopes get 403."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from fedi.accounts.members import add_member
from fedi.db import audit_log
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.tokens import bearer

STAFF_SCOPES = ["read", "write", "admin:read", "admin:write"]


async def _people(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    await add_member(served.context, "root", "root-password", "admin")
    await add_member(served.context, "mod", "mod-password", "moderator")


async def test_a_member_reports_and_moderators_work_the_report(served: Served) -> None:
    await _people(served)

    def run() -> dict[str, Any]:
        with logged_in(served.base, username="bob") as bob:
            post = bob.status_post("something reportable")
            bob_id = bob.me()["id"]
        with logged_in(served.base) as alice:
            report = alice.report(bob_id, [post["id"]], "this is spam", category="spam")
        with logged_in(served.base, STAFF_SCOPES, username="mod") as mod:
            open_reports = mod.admin_reports()
            one = mod.admin_report(report["id"])
            assigned = mod.admin_report_assign(report["id"])
            unassigned = mod.admin_report_unassign(report["id"])
            resolved = mod.admin_report_resolve(report["id"])
            still_open = mod.admin_reports()
            resolved_list = mod.admin_reports(resolved=True)
            reopened = mod.admin_report_reopen(report["id"])
            by_target = mod.admin_reports(target_account_id=bob_id)
            by_reporter = mod.admin_reports(account_id=bob_id)
        return locals()

    seen = await asyncio.to_thread(run)
    report = seen["report"]
    assert report["category"] == "spam" and report["comment"] == "this is spam"
    assert report["target_account"]["acct"] == "bob"
    assert report["status_ids"] == [str(seen["post"]["id"])]
    assert report["action_taken"] is False and report["forwarded"] is False
    assert [r["id"] for r in seen["open_reports"]] == [report["id"]]
    one = seen["one"]
    assert one["account"]["username"] == "alice" and one["target_account"]["username"] == "bob"
    assert [s["id"] for s in one["statuses"]] == [seen["post"]["id"]]
    assert one["assigned_account"] is None
    assert seen["assigned"]["assigned_account"]["username"] == "mod"
    assert seen["unassigned"]["assigned_account"] is None
    assert seen["resolved"]["action_taken"] is True
    assert seen["resolved"]["action_taken_by_account"]["username"] == "mod"
    assert list(seen["still_open"]) == []
    assert [r["id"] for r in seen["resolved_list"]] == [report["id"]]
    assert seen["reopened"]["action_taken"] is False
    assert [r["id"] for r in seen["by_target"]] == [report["id"]]
    assert list(seen["by_reporter"]) == []
    async with served.context.db.read() as conn:
        entries = await audit_log.entries(conn, limit=10, target_type="report")
    assert [e.action for e in entries] == [
        "reopen_report",
        "resolve_report",
        "unassigned_report",
        "assigned_to_self_report",
    ]
    assert {e.actor_label for e in entries} == {"@mod"}


async def test_report_refuses_other_accounts_posts_invisible_posts_and_long_comments(
    served: Served,
) -> None:
    await _people(served)

    def run() -> dict[str, Any]:
        with logged_in(served.base, username="bob") as bob:
            bob_id = bob.me()["id"]
            secret = bob.status_post("for followers only", visibility="private")
        with logged_in(served.base) as alice:
            own = alice.status_post("mine")
            errors: dict[str, type] = {}
            tries: list[tuple[str, str, list[Any], str]] = [
                ("not_his", bob_id, [own["id"]], ""),
                ("invisible", bob_id, [secret["id"]], ""),
                ("nobody", "999999999", [], ""),
                ("long", bob_id, [], "x" * 1001),
            ]
            for name, account_id, status_ids, comment in tries:
                try:
                    alice.report(account_id, status_ids, comment)
                except MastodonAPIError as exc:
                    errors[name] = type(exc)
        return errors

    errors = await asyncio.to_thread(run)
    assert errors["not_his"] is MastodonNotFoundError
    assert errors["invisible"] is MastodonNotFoundError
    assert errors["nobody"] is MastodonNotFoundError
    assert errors["long"] is not MastodonNotFoundError and "long" in errors


async def test_admin_report_routes_need_staff_and_the_admin_scopes(served: Served) -> None:
    await _people(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        member = await bearer(http, "alice", "read write admin:read admin:write")
        staff_plain = await bearer(http, "mod", "read write")
        staff = await bearer(http, "mod", "read admin:read:reports admin:write:reports")
        bob = await http.get("/api/v1/accounts/lookup?acct=bob", headers=member)
        made = await http.post(
            "/api/v1/reports", headers=member,
            json={"account_id": bob.json()["id"], "comment": "hm", "category": "other"},
        )  # fmt: skip
        assert made.status_code == 200, made.text
        report_id = made.json()["id"]
        for headers in (member, staff_plain):
            listed = await http.get("/api/v1/admin/reports", headers=headers)
            assert listed.status_code == 403
            acted = await http.post(f"/api/v1/admin/reports/{report_id}/resolve", headers=headers)
            assert acted.status_code == 403
        assert (await http.get("/api/v1/admin/reports", headers=staff)).status_code == 200
        changed = await http.put(
            f"/api/v1/admin/reports/{report_id}", headers=staff, json={"category": "legal"}
        )
        assert changed.status_code == 200 and changed.json()["category"] == "legal"
        bad = await http.put(
            f"/api/v1/admin/reports/{report_id}", headers=staff, json={"category": "nope"}
        )
        assert bad.status_code == 422 and "error" in bad.json()
        missing = await http.get("/api/v1/admin/reports/12345", headers=staff)
        assert missing.status_code == 404
        junk = await http.get("/api/v1/admin/reports/not-an-id", headers=staff)
        assert junk.status_code == 404


@pytest.mark.parametrize("category", ["elsewhere", ""])
async def test_report_category_must_be_known(served: Served, category: str) -> None:
    await _people(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        member = await bearer(http, "alice", "read write")
        bob = await http.get("/api/v1/accounts/lookup?acct=bob", headers=member)
        made = await http.post(
            "/api/v1/reports", headers=member,
            data={"account_id": bob.json()["id"], "category": category},
        )  # fmt: skip
    assert made.status_code == (422 if category else 200), made.text
