"""The administration pages for reports, accounts and the audit log, and a member's warnings
page: they render in every language (Arabic right to left), refuse visitors and non-staff (the
audit log and roles are for administrators), check CSRF, and each form does its action."""

from __future__ import annotations

import httpx
import pytest

from fedi.accounts.members import add_member, get_member
from fedi.context import Context
from fedi.core.models import Role, User
from fedi.db import account_warnings, audit_log, reports, statuses
from fedi.moderation.reports import ReportForm, file_report
from fedi.statuses.posting import post_status
from tests.testrig.group_web import BROWSER, assert_translated, sign_in, submit


@pytest.fixture
async def staff(context: Context) -> dict[str, User]:
    people = {}
    roles: tuple[tuple[str, Role], ...] = (
        ("root", "admin"),
        ("mod", "moderator"),
        ("alice", "member"),
        ("bob", "member"),
    )
    for name, role in roles:
        people[name] = await add_member(context, name, f"password-{name}", role)
    return people


@pytest.fixture
async def report_id(context: Context, staff: dict[str, User]) -> int:
    post = await post_status(context, "bob", "an offending post")
    return await file_report(
        context, staff["alice"], staff["bob"].account, [post], ReportForm(comment="rude words")
    )


def pages_for(report_id: int, bob_id: int) -> list[str]:
    return [
        "/admin/reports", "/admin/reports?resolved=1", f"/admin/reports/{report_id}",
        "/admin/accounts", "/admin/accounts?q=bo&origin=local&status=active",
        f"/admin/accounts/{bob_id}", "/admin/audit_log",
    ]  # fmt: skip


@pytest.mark.parametrize("code", ["en", "fr", "ar", "de", "pt"])
async def test_every_admin_page_renders_in_each_language(
    client: httpx.AsyncClient, staff: dict[str, User], report_id: int, code: str
) -> None:
    await sign_in(client, "root", "password-root")
    for path in pages_for(report_id, staff["bob"].account.id):
        joiner = "&" if "?" in path else "?"
        page = await client.get(f"{path}{joiner}lang={code}", headers=BROWSER)
        assert page.status_code == 200, path
        assert f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">' in page.text
        assert_translated(page.text, code)
    report_page = await client.get(f"/admin/reports/{report_id}", headers=BROWSER)
    assert "an offending post" in report_page.text and "rude words" in report_page.text


async def test_visitors_and_members_are_kept_out_and_the_audit_log_is_for_admins(
    client: httpx.AsyncClient, context: Context, staff: dict[str, User], report_id: int
) -> None:
    paths = pages_for(report_id, staff["bob"].account.id)
    for path in paths:
        visitor = await client.get(path, headers=BROWSER)
        assert visitor.status_code == 303 and visitor.headers["location"].startswith(
            "/auth/sign_in?next="
        )
    await sign_in(client, "alice", "password-alice")
    for path in paths:
        assert (await client.get(path, headers=BROWSER)).status_code == 403, path
    refused = await client.post(
        f"/admin/reports/{report_id}/resolve", data={"csrf_token": "x" * 30}, headers=BROWSER
    )
    assert refused.status_code == 403
    await sign_in(client, "mod", "password-mod")
    assert (await client.get("/admin/audit_log", headers=BROWSER)).status_code == 403
    assert (await client.get("/admin/reports", headers=BROWSER)).status_code == 200
    bob_id = staff["bob"].account.id
    role = await submit(client, f"/admin/accounts/{bob_id}/role", {"role": "admin"})
    assert role.status_code == 403
    assert (await get_member(context, "bob")).role == "member"


async def test_report_steps_and_actions_need_csrf_and_are_audited(
    client: httpx.AsyncClient, context: Context, staff: dict[str, User], report_id: int
) -> None:
    await sign_in(client, "mod", "password-mod")
    forged = await client.post(
        f"/admin/reports/{report_id}/assign",
        data={"csrf_token": "forged-token-forged-token"}, headers=BROWSER,
    )  # fmt: skip
    assert forged.status_code == 403
    for step in ("assign", "unassign", "resolve", "reopen"):
        done = await submit(client, f"/admin/reports/{report_id}/{step}", {})
        assert done.status_code == 303
        assert done.headers["location"] == f"/admin/reports/{report_id}?done={step}"
    noted = await submit(client, f"/admin/reports/{report_id}/note", {"note": "looked at it"})
    assert noted.status_code == 303
    empty = await submit(client, f"/admin/reports/{report_id}/note", {"note": "  "})
    assert empty.status_code == 422
    acted = await submit(
        client, f"/admin/reports/{report_id}/action",
        {"action": "warn", "text": "mind your words"},
    )  # fmt: skip
    assert acted.status_code == 303
    async with context.db.read() as conn:
        report = await reports.get(conn, report_id)
        notes = await reports.notes(conn, report_id)
        warnings = await account_warnings.of_account(conn, staff["bob"].account.id)
        entries = await audit_log.entries(conn, limit=20)
    assert report is not None and report.is_resolved
    assert [n.content for n in notes] == ["looked at it"]
    assert [(w.action, w.text, w.report_id) for w in warnings] == [
        ("none", "mind your words", report_id)
    ]
    assert [e.action for e in entries] == [
        "warn_account",
        "create_report_note",
        "reopen_report",
        "resolve_report",
        "unassigned_report",
        "assigned_to_self_report",
    ]
    assert all(e.actor_label == "@mod" for e in entries)
    page = await client.get(f"/admin/reports/{report_id}?lang=en", headers=BROWSER)
    assert "looked at it" in page.text


async def test_account_page_limits_suspends_and_admins_change_roles(
    client: httpx.AsyncClient, context: Context, staff: dict[str, User]
) -> None:
    bob_id = staff["bob"].account.id
    await sign_in(client, "root", "password-root")
    for action in ("silence", "unsilence", "suspend", "unsuspend"):
        done = await submit(client, f"/admin/accounts/{bob_id}/{action}", {"text": "why"})
        assert done.status_code == 303, action
    role = await submit(client, f"/admin/accounts/{bob_id}/role", {"role": "moderator"})
    assert role.status_code == 303
    assert (await get_member(context, "bob")).role == "moderator"
    own = await submit(
        client, f"/admin/accounts/{staff['root'].account.id}/role", {"role": "member"}
    )
    assert own.status_code == 422
    log = await client.get("/admin/audit_log?action=change_role&lang=en", headers=BROWSER)
    assert "change_role" in log.text and "@bob" in log.text
    assert "silence_account" not in log.text.split("<tbody>", 1)[-1]


async def test_a_warned_member_reads_the_warning(
    client: httpx.AsyncClient, context: Context, staff: dict[str, User]
) -> None:
    await sign_in(client, "root", "password-root")
    bob_id = staff["bob"].account.id
    await submit(client, f"/admin/accounts/{bob_id}/warn", {"text": "first and last warning"})
    await sign_in(client, "bob", "password-bob")
    for code in ("en", "fr", "ar"):
        page = await client.get(f"/settings/warnings?lang={code}", headers=BROWSER)
        assert page.status_code == 200
        assert "first and last warning" in page.text
        assert_translated(page.text, code)
    await sign_in(client, "alice", "password-alice")
    page = await client.get("/settings/warnings?lang=en", headers=BROWSER)
    assert "first and last warning" not in page.text and "You have no warnings." in page.text


async def test_deleting_the_reported_posts_removes_them_and_is_audited(
    client: httpx.AsyncClient, context: Context, staff: dict[str, User], report_id: int
) -> None:
    await sign_in(client, "mod", "password-mod")
    async with context.db.read() as conn:
        report = await reports.get(conn, report_id)
    assert report is not None
    [post_id] = report.status_ids
    done = await submit(
        client, f"/admin/reports/{report_id}/action",
        {"action": "delete_posts", "text": "removed"},
    )  # fmt: skip
    assert done.status_code == 303
    async with context.db.read() as conn:
        assert await statuses.get_by_id(conn, post_id) is None
        entries = await audit_log.entries(conn, limit=5, action="destroy_status")
        warnings = await account_warnings.of_account(conn, staff["bob"].account.id)
    assert [e.target_id for e in entries] == [post_id] and entries[0].reason == "removed"
    assert [(w.action, w.status_ids) for w in warnings] == [("delete_statuses", (post_id,))]


async def test_the_audit_log_names_actions_in_the_readers_language(
    client: httpx.AsyncClient, context: Context, staff: dict[str, User]
) -> None:
    from fedi.db.domain_rules import BlockFields
    from fedi.moderation.domain_rules import block_domain

    await block_domain(context, staff["root"].account, "evil.example", BlockFields("suspend"))
    await sign_in(client, "root", "password-root")
    labels = {"fr": "A bloqué un serveur", "ar": "حظر خادمًا", "de": "Hat einen Server blockiert"}
    for code, label in labels.items():
        page = await client.get(f"/admin/audit_log?lang={code}", headers=BROWSER)
        assert label in page.text and "create_domain_block</a>" not in page.text
