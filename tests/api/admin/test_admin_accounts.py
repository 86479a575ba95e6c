"""Accounts through Mastodon.py's admin methods: the lists (v1 and v2 with their filters), one
account, moderation actions (a warning the member sees as a `moderation_warning` notification,
silence, suspend) and lifting them, approving and rejecting sign-ups; roles from the command
line's function; members and the wrong scopes get 403."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from mastodon import MastodonAPIError

from fedi.accounts.members import add_member, get_member
from fedi.db import account_warnings, audit_log
from fedi.db.users import SignUpDetails
from fedi.moderation.roles import change_role
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.tokens import bearer
from tests.testrig.group_web import remote_account
from tests.testrig.groups import accept_follow

STAFF_SCOPES = ["read", "write", "admin:read", "admin:write"]


async def _people(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    await add_member(served.context, "root", "root-password", "admin")
    await add_member(served.context, "mod", "mod-password", "moderator")


async def test_warn_silence_suspend_and_lift_through_the_admin_methods(served: Served) -> None:
    await _people(served)

    def run() -> dict[str, Any]:
        with logged_in(served.base, username="bob") as bob:
            post = bob.status_post("rude words")
            bob_id = bob.me()["id"]
        with logged_in(served.base) as alice:
            report = alice.report(bob_id, [post["id"]], "rude")
        with logged_in(served.base, STAFF_SCOPES, username="mod") as mod:
            local = mod.admin_accounts_v2(origin="local")
            by_name = mod.admin_accounts_v2(username="bo")
            v1 = mod.admin_accounts_v1(username="bob")
            one = mod.admin_account(bob_id)
            mod.admin_account_moderate(bob_id, report_id=report["id"], text="please be kind")
            report_after = mod.admin_report(report["id"])
            mod.admin_account_moderate(bob_id, "silence", text="limited for a while")
            silenced = mod.admin_account(bob_id)
            silenced_list = mod.admin_accounts_v2(status="silenced")
            unsilenced = mod.admin_account_unsilence(bob_id)
        with logged_in(served.base, username="bob") as bob:
            warnings = bob.notifications(types=["moderation_warning"])
        with logged_in(served.base, STAFF_SCOPES, username="mod") as mod:
            mod.admin_account_moderate(bob_id, "suspend", text="gone")
            suspended = mod.admin_account(bob_id)
            unsuspended = mod.admin_account_unsuspend(bob_id)
            errors = {}
            try:
                mod.admin_account_moderate(bob_id, "sensitive")
            except MastodonAPIError as exc:
                errors["sensitive"] = exc.args[1]
        return locals()

    seen = await asyncio.to_thread(run)
    assert {a["username"] for a in seen["local"]} >= {"alice", "bob", "root", "mod"}
    assert [a["username"] for a in seen["by_name"]] == ["bob"]
    assert [a["username"] for a in seen["v1"]] == ["bob"]
    one = seen["one"]
    assert one["username"] == "bob" and one["domain"] is None and one["approved"] is True
    assert one["role"]["name"] == "" and one["account"]["acct"] == "bob"
    assert seen["report_after"]["action_taken"] is True
    assert seen["silenced"]["silenced"] is True
    assert [a["username"] for a in seen["silenced_list"]] == ["bob"]
    assert seen["unsilenced"]["silenced"] is False
    assert seen["suspended"]["suspended"] is True
    assert seen["unsuspended"]["suspended"] is False
    assert seen["errors"]["sensitive"] == 422
    texts = [n["moderation_warning"]["text"] for n in seen["warnings"]]
    assert texts == ["limited for a while", "please be kind"]
    first = seen["warnings"][-1]
    assert first["type"] == "moderation_warning"
    assert first["moderation_warning"]["action"] == "none"
    assert first["moderation_warning"]["target_account"]["acct"] == "bob"
    assert seen["warnings"][0]["moderation_warning"]["action"] == "silence"
    async with served.context.db.read() as conn:
        entries = await audit_log.entries(conn, limit=20, target_type="account")
    assert [e.action for e in entries] == [
        "unsuspend_account",
        "suspend_account",
        "unsilence_account",
        "silence_account",
        "warn_account",
    ]
    assert entries[-1].reason == "please be kind" and entries[-1].actor_label == "@mod"
    assert entries[-1].details == {"report_id": int(seen["report"]["id"])}


async def test_admin_account_routes_need_staff_and_scopes(served: Served) -> None:
    await _people(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        member = await bearer(http, "alice", "read write admin:read admin:write")
        reader = await bearer(http, "mod", "read admin:read:accounts")
        bob = (await http.get("/api/v1/accounts/lookup?acct=bob", headers=member)).json()
        assert (await http.get("/api/v2/admin/accounts", headers=member)).status_code == 403
        assert (await http.get("/api/v2/admin/accounts", headers=reader)).status_code == 200
        acted = await http.post(
            f"/api/v1/admin/accounts/{bob['id']}/action", headers=reader, data={"type": "silence"}
        )
        assert acted.status_code == 403
        bad = await http.get("/api/v2/admin/accounts?status=odd", headers=reader)
        assert bad.status_code == 422 and "error" in bad.json()
        missing = await http.get("/api/v1/admin/accounts/123", headers=reader)
        assert missing.status_code == 404
        # A moderator who loses the role loses the admin API at once.
        await change_role(served.context, None, "mod", "member")
        assert (await http.get("/api/v2/admin/accounts", headers=reader)).status_code == 403


async def test_self_action_and_deleting_an_active_account_are_refused(served: Served) -> None:
    await _people(served)
    async with httpx.AsyncClient(base_url=served.base) as http:
        staff = await bearer(http, "mod", "read admin:read admin:write")
        me = (await http.get("/api/v1/accounts/verify_credentials", headers=staff)).json()
        own = await http.post(
            f"/api/v1/admin/accounts/{me['id']}/action", headers=staff, data={"type": "suspend"}
        )
        assert own.status_code == 422
        bob = (await http.get("/api/v1/accounts/lookup?acct=bob", headers=staff)).json()
        deleted = await http.delete(f"/api/v1/admin/accounts/{bob['id']}", headers=staff)
        assert deleted.status_code == 403
        await http.post(
            f"/api/v1/admin/accounts/{bob['id']}/action", headers=staff, data={"type": "suspend"}
        )
        erased = await http.delete(f"/api/v1/admin/accounts/{bob['id']}", headers=staff)
        assert erased.status_code == 422 and "error" in erased.json()


async def test_pending_sign_ups_are_approved_or_rejected(served: Served) -> None:
    await _people(served)
    for name in ("newcomer", "spammer"):
        await add_member(
            served.context, name, f"{name}-password",
            sign_up=SignUpDetails(email=f"{name}@example.org", locale="en", reason="hello",
                                  app_id=None, is_approved=False),
        )  # fmt: skip

    def run() -> dict[str, Any]:
        with logged_in(served.base, STAFF_SCOPES, username="root") as root:
            pending = root.admin_accounts_v2(status="pending")
            ids = {a["username"]: a["id"] for a in pending}
            approved = root.admin_account_approve(ids["newcomer"])
            rejected = root.admin_account_reject(ids["spammer"])
            after = root.admin_accounts_v2(status="pending")
        return locals()

    seen = await asyncio.to_thread(run)
    assert {a["username"] for a in seen["pending"]} == {"newcomer", "spammer"}
    assert seen["pending"][0]["invite_request"] == "hello"
    assert seen["approved"]["approved"] is True
    assert seen["rejected"]["username"] == "spammer"
    assert list(seen["after"]) == []
    assert (await get_member(served.context, "newcomer")).is_approved


async def test_change_role_is_audited(served: Served) -> None:
    await _people(served)
    root = (await get_member(served.context, "root")).account
    changed = await change_role(served.context, root, "bob", "moderator")
    assert changed.role == "moderator"
    async with served.context.db.read() as conn:
        entries = await audit_log.entries(conn, limit=5, action="change_role")
    assert entries[0].actor_label == "@root" and entries[0].details == {
        "from": "member",
        "to": "moderator",
    }


async def test_remote_accounts_are_listed_limited_and_suspended_with_follows_ended(
    served: Served,
) -> None:
    await _people(served)
    ana = await remote_account(served.context, "ana", "partner.example.org")
    alice = (await get_member(served.context, "alice")).account
    await accept_follow(served.context, alice, ana)
    await accept_follow(served.context, ana, alice)

    def run() -> dict[str, Any]:
        with logged_in(served.base, STAFF_SCOPES, username="mod") as mod:
            remote = mod.admin_accounts_v2(origin="remote")
            by_domain = mod.admin_accounts_v2(by_domain="partner.example.org")
            v1_remote = mod.admin_accounts_v1(remote=True)
            mod.admin_account_moderate(ana.id, "silence")
            silenced = mod.admin_account(ana.id)
            mod.admin_account_moderate(ana.id, "suspend", text="spam server")
            suspended = mod.admin_account(ana.id)
        return locals()

    seen = await asyncio.to_thread(run)
    assert [a["username"] for a in seen["remote"]] == ["ana"]
    assert [a["domain"] for a in seen["by_domain"]] == ["partner.example.org"]
    assert [a["username"] for a in seen["v1_remote"]] == ["ana"]
    assert seen["silenced"]["silenced"] is True and seen["silenced"]["role"] is None
    assert seen["suspended"]["suspended"] is True
    async with served.context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT count(*) FROM follows WHERE follower_id = ? OR followed_id = ?",
            (ana.id, ana.id),
        )
        row = await cursor.fetchone()
        warnings = await account_warnings.of_account(conn, ana.id)
    assert row is not None and row[0] == 0
    assert [w.action for w in warnings] == ["suspend", "silence"]
