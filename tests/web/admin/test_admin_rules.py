"""Server rules: administrators add, edit, reorder and delete them on /admin/rules (audited,
CSRF on every form); /admin links every administration page for staff and is 404 to others;
/about and Mastodon's /api/v1/instance/rules show them."""

from __future__ import annotations

import re

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.db import audit_log
from fedi.moderation.instance_rules import add_rule, list_rules
from tests.testrig.group_web import BROWSER, assert_translated, sign_in, submit

PATH = "/admin/rules"


@pytest.fixture
async def staff(context: Context) -> Context:
    await add_member(context, "ada", "ada-password", "admin")
    await add_member(context, "mo", "mo-password", "moderator")
    await add_member(context, "bea", "bea-password")
    return context


async def texts(context: Context) -> list[str]:
    return [rule.text for rule in await list_rules(context)]


async def test_the_admin_index_links_every_page_for_staff_only(
    staff: Context, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/admin", headers=BROWSER)).status_code == 404
    await sign_in(client, "bea", "bea-password")
    assert (await client.get("/admin", headers=BROWSER)).status_code == 404
    await sign_in(client, "mo", "mo-password")
    page = await client.get("/admin", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    for path in ("/admin/reports", "/admin/accounts", "/admin/domain_blocks",
                 "/admin/federation", "/admin/blocklists", "/admin/rules"):  # fmt: skip
        assert f'href="{path}"' in page.text, path
    assert 'href="/admin/audit_log"' not in page.text  # administrators only
    await sign_in(client, "ada", "ada-password")
    assert 'href="/admin/audit_log"' in (await client.get("/admin", headers=BROWSER)).text


@pytest.mark.parametrize("code", ["en", "fr", "ar"])
async def test_pages_render_translated(
    staff: Context, client: httpx.AsyncClient, code: str
) -> None:
    await sign_in(client, "ada", "ada-password")
    for path in ("/admin", PATH):
        page = await client.get(f"{path}?lang={code}", headers=BROWSER)
        assert page.status_code == 200
        assert_translated(page.text, code)


async def test_an_administrator_writes_reorders_and_deletes_rules(
    staff: Context, client: httpx.AsyncClient
) -> None:
    await sign_in(client, "ada", "ada-password")
    for text, hint in (("No harassment.", "Of anyone."), ("No spam.", ""), ("كن لطيفا", "")):
        saved = await submit(client, PATH, {"text": text, "hint": hint}, form_page=PATH)
        assert saved.status_code == 303 and saved.headers["location"] == f"{PATH}?done=saved"
    assert await texts(staff) == ["No harassment.", "No spam.", "كن لطيفا"]
    rules = await list_rules(staff)
    edited = await submit(client, PATH, {"rule_id": str(rules[1].id), "text": "No spam at all.",
                                         "hint": "Ads included."}, form_page=PATH)  # fmt: skip
    assert edited.status_code == 303
    moved = await submit(client, f"{PATH}/{rules[2].id}/move_up", {"go": "1"}, form_page=PATH)
    assert moved.status_code == 303
    assert await texts(staff) == ["No harassment.", "كن لطيفا", "No spam at all."]
    await submit(client, f"{PATH}/{rules[0].id}/move_down", {"go": "1"}, form_page=PATH)
    assert await texts(staff) == ["كن لطيفا", "No harassment.", "No spam at all."]
    deleted = await submit(client, f"{PATH}/{rules[0].id}/delete", {"go": "1"}, form_page=PATH)
    assert deleted.status_code == 303
    assert await texts(staff) == ["كن لطيفا", "No spam at all."]
    page = await client.get(PATH, headers=BROWSER)
    assert '<p dir="auto">كن لطيفا</p>' in page.text
    async with staff.db.read() as conn:
        entries = await audit_log.entries(conn, limit=20, target_type="rule")
    actions = [e.action for e in entries]
    assert actions.count("create_rule") == 3 and actions.count("destroy_rule") == 1
    assert actions.count("update_rule") == 3
    assert all(e.actor_label == "@ada" for e in entries)


@pytest.mark.parametrize(
    ("fields", "error"),
    [({"text": "  "}, "A rule needs a text."), ({"text": "x" * 301}, "at most 300 characters")],
)
async def test_a_refused_rule_says_why(
    staff: Context, client: httpx.AsyncClient, fields: dict[str, str], error: str
) -> None:
    await sign_in(client, "ada", "ada-password")
    refused = await submit(client, PATH, fields, form_page=PATH)
    assert refused.status_code == 303
    page = await client.get(refused.headers["location"], headers=BROWSER)
    assert error in page.text
    assert await texts(staff) == []


async def test_only_administrators_change_rules_and_only_with_the_token(
    staff: Context, client: httpx.AsyncClient
) -> None:
    ada = (await add_member(staff, "root_", "root_-password", "admin")).account
    await add_rule(staff, ada, "Be kind.")
    await sign_in(client, "mo", "mo-password")
    page = await client.get(PATH, headers=BROWSER)
    assert page.status_code == 200 and "Be kind." in page.text
    assert f'action="{PATH}"' not in page.text  # moderators read the rules
    assert (await submit(client, PATH, {"text": "Mine."}, form_page=PATH)).status_code == 403
    await sign_in(client, "bea", "bea-password")
    assert (await client.get(PATH, headers=BROWSER)).status_code == 403
    await sign_in(client, "ada", "ada-password")
    token_page = await client.get(PATH, headers=BROWSER)
    assert re.search(r'name="csrf_token" value="([^"]+)"', token_page.text)
    for token in (None, "wrong-token-wrong-token-wrong"):
        data = {"text": "Sneaky."} | ({"csrf_token": token} if token else {})
        refused = await client.post(PATH, data=data, headers=BROWSER)
        assert refused.status_code == 403
    assert await texts(staff) == ["Be kind."]


async def test_the_about_page_and_the_api_show_the_rules(
    staff: Context, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/api/v1/instance/rules")).json() == []
    assert "Server rules" not in (await client.get("/about", headers=BROWSER)).text
    ada = (await add_member(staff, "root_", "root_-password", "admin")).account
    first = await add_rule(staff, ada, "No harassment.", "Of anyone, anywhere.")
    await add_rule(staff, ada, "<b>No spam</b>")
    rules = (await client.get("/api/v1/instance/rules")).json()
    assert rules == [
        {"id": str(first), "text": "No harassment.", "hint": "Of anyone, anywhere."},
        {"id": rules[1]["id"], "text": "<b>No spam</b>", "hint": ""},
    ]
    assert (await client.get("/api/v1/instance")).json()["rules"] == rules
    assert (await client.get("/api/v2/instance")).json()["rules"] == rules
    about = await client.get("/about?lang=fr", headers=BROWSER)
    assert "Règles du serveur" in about.text
    assert '<p dir="auto">No harassment.</p>' in about.text
    assert "&lt;b&gt;No spam&lt;/b&gt;" in about.text
