"""The administration pages for domain rules: blocks, federation (allowlist switch, allowed
domains, who sees the public list) and shared blocklists (CSV export and import with a preview,
subscriptions); staff only, CSRF on every form, translated (French and Arabic shown here)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import DomainBlock
from fedi.db import domain_rules as rules
from fedi.db.domain_rules import BlockFields
from fedi.moderation.blocklist_format import BlocklistError, export_csv, parse_csv, parse_published
from fedi.moderation.blocklist_import import apply_import
from fedi.moderation.blocklist_subscriptions import refresh_hours
from fedi.moderation.domain_rules import block_domain, show_domain_blocks
from tests.conftest import BASE
from tests.testrig.group_web import BROWSER, assert_translated, csrf_token, sign_in, submit

FIXTURE = Path(__file__).parents[2] / "testrig" / "payloads" / "mastodon" / "domain_blocks.csv"
PAGES = ("/admin/domain_blocks", "/admin/federation", "/admin/blocklists")


@pytest.fixture
async def staff(context: Context) -> Context:
    await add_member(context, "ada", "ada-password", "admin")
    await add_member(context, "mo", "mo-password", "moderator")
    await add_member(context, "bea", "bea-password")
    return context


async def blocks(context: Context) -> dict[str, DomainBlock]:
    async with context.db.read() as conn:
        return {b.domain: b for b in await rules.all_blocks(conn)}


@pytest.mark.parametrize("code", ["en", "fr", "ar"])
async def test_pages_render_translated(
    staff: Context, client: httpx.AsyncClient, code: str
) -> None:
    await block_domain(staff, None, "spam.example", BlockFields("suspend", public_comment="x"))
    await sign_in(client, "ada", "ada-password")
    for path in PAGES:
        page = await client.get(f"{path}?lang={code}", headers=BROWSER)
        assert page.status_code == 200, path
        assert f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">' in page.text
        assert 'name="csrf_token"' in page.text
        assert_translated(page.text, code)


async def test_only_staff(staff: Context, client: httpx.AsyncClient) -> None:
    visitor = await client.get("/admin/domain_blocks", headers=BROWSER)
    assert visitor.status_code == 303
    await sign_in(client, "bea", "bea-password")
    for path in PAGES:
        assert (await client.get(path, headers=BROWSER)).status_code == 403
    token = client.cookies.get("csrf") or ""
    fields = {"csrf_token": token, "domain": "x.test", "severity": "suspend"}
    refused = await client.post(
        "/admin/domain_blocks", data=fields, headers=BROWSER | {"Origin": BASE}
    )
    assert refused.status_code == 403
    assert await blocks(staff) == {}


async def test_block_edit_and_lift_with_csrf(staff: Context, client: httpx.AsyncClient) -> None:
    await sign_in(client, "mo", "mo-password")
    no_token = await client.post(
        "/admin/domain_blocks", data={"domain": "evil.example", "severity": "suspend"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert no_token.status_code == 403
    assert await blocks(staff) == {}
    fields = {"domain": "evil.example", "severity": "silence", "reject_media": "on",
              "public_comment": "spam", "private_comment": "seen in reports"}  # fmt: skip
    saved = await submit(client, "/admin/domain_blocks", fields, form_page="/admin/domain_blocks")
    assert saved.status_code == 303
    block = (await blocks(staff))["evil.example"]
    assert (block.severity, block.reject_media, block.source) == ("silence", True, "manual")
    page = await client.get(f"/admin/domain_blocks?edit={block.id}", headers=BROWSER)
    assert "seen in reports" in page.text
    bad_fields = {"domain": "no spaces", "severity": "suspend"}
    bad = await submit(client, "/admin/domain_blocks", bad_fields, form_page="/admin/domain_blocks")
    assert "error=bad_domain" in bad.headers["location"]
    lifted = await submit(
        client, f"/admin/domain_blocks/{block.id}/delete", {}, form_page="/admin/domain_blocks"
    )
    assert lifted.status_code == 303
    assert await blocks(staff) == {}


async def test_federation_page(staff: Context, client: httpx.AsyncClient) -> None:
    await sign_in(client, "mo", "mo-password")
    page = "/admin/federation"
    await submit(client, "/admin/federation/allows", {"domain": "friend.test"}, form_page=page)
    async with staff.db.read() as conn:
        allows = await rules.all_allows(conn)
    assert [a.domain for a in allows] == ["friend.test"]
    # Moderators see the mode but may not switch it, nor change who sees the public list.
    assert "/admin/federation/mode" not in (await client.get(page, headers=BROWSER)).text
    refused = await submit(client, "/admin/federation/mode", {"mode": "allowlist"}, form_page=page)
    assert refused.status_code == 403
    await sign_in(client, "ada", "ada-password")
    await submit(client, "/admin/federation/mode", {"mode": "allowlist"}, form_page=page)
    assert staff.policy.refuses("stranger.test") and not staff.policy.refuses("friend.test")
    await submit(client, "/admin/federation/show_domain_blocks", {"show": "users"}, form_page=page)
    assert await show_domain_blocks(staff) == "users"
    await submit(client, f"/admin/federation/allows/{allows[0].id}/delete", {}, form_page=page)
    assert staff.policy.refuses("friend.test")
    await submit(client, "/admin/federation/mode", {"mode": "open"}, form_page=page)
    assert not staff.policy.refuses("stranger.test")


async def test_csv_round_trip(staff: Context) -> None:
    text = FIXTURE.read_text()
    entries = parse_csv(text)
    counts = await apply_import(staff, None, entries, "domain_blocks.csv")
    assert counts["new"] == 4
    found = await blocks(staff)
    assert all(b.source == "import" and b.source_detail.startswith("domain_blocks.csv (")
               for b in found.values())  # fmt: skip
    async with staff.db.read() as conn:
        exported = export_csv(await rules.all_blocks(conn))
    assert exported.splitlines()[0] == text.splitlines()[0]
    assert sorted(exported.splitlines()[1:]) == sorted(text.splitlines()[1:])


def test_csv_variants_and_errors() -> None:
    assert [(e.domain, e.severity) for e in parse_csv("a.test\nb.example\n")] == [
        ("a.test", "suspend"), ("b.example", "suspend"),
    ]  # fmt: skip
    assert [(e.domain, e.severity) for e in parse_csv("a.test,silence\n")] == [
        ("a.test", "silence")
    ]
    assert parse_csv("#domain,#severity\nA.Test,noop\n")[0].domain == "a.test"
    for bad, message in (
        ("", "no domains"),
        ("#domain,#severity\nx.test,obliterate\n", "line 2"),
        ("#domain,#severity,#reject_media\nx.test,suspend,maybe\n", "reject_media"),
        ("#domain,#colour\nx.test,red\n", "colour"),
        ("#domain\nsp*m.example\n", "obfuscated"),
        ("#domain\nnot a domain\n", "line 2"),
    ):
        with pytest.raises(BlocklistError, match=message):
            parse_csv(bad)


async def test_import_page_previews_then_applies(staff: Context, client: httpx.AsyncClient) -> None:
    await block_domain(staff, None, "spam.example", BlockFields("suspend", reject_media=True,
                                                                reject_reports=True))  # fmt: skip
    await block_domain(staff, None, "noisy.test", BlockFields("suspend"))  # stricter, manual
    await sign_in(client, "mo", "mo-password")
    token = await csrf_token(client, "/admin/blocklists")
    preview = await client.post(
        "/admin/blocklists/import", data={"csrf_token": token},
        files={"file": ("partner.csv", FIXTURE.read_bytes(), "text/csv")},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert preview.status_code == 200, preview.text
    assert "noisy.test" in preview.text and 'name="weaker"' in preview.text
    assert set(await blocks(staff)) == {"spam.example", "noisy.test"}  # nothing written yet
    confirmed = await client.post(
        "/admin/blocklists/import/confirm",
        data={"csrf_token": token, "csv": FIXTURE.read_text(), "file_name": "partner.csv"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert confirmed.status_code == 303
    found = await blocks(staff)
    assert set(found) == {"spam.example", "noisy.test", "images.example.org", "hidden.example"}
    assert found["noisy.test"].severity == "suspend"
    assert found["images.example.org"].source == "import"

    bad = await client.post(
        "/admin/blocklists/import", data={"csrf_token": token, "csv": "#domain\nnot a domain\n"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert bad.status_code == 422 and "line 2" in bad.text
    no_csrf = await client.post(
        "/admin/blocklists/import/confirm", data={"csv": "#domain\nz.test\n"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert no_csrf.status_code == 403 and "z.test" not in await blocks(staff)

    exported = await client.get("/admin/blocklists/export.csv", headers=BROWSER)
    assert exported.status_code == 200
    assert exported.text.startswith("#domain,#severity,#reject_media,#reject_reports")
    assert "noisy.test,suspend" in exported.text


def test_published_lists_json_and_csv() -> None:
    body = (
        b'[{"domain": "spam.test", "digest": "x", "severity": "suspend", "comment": "spam"},'
        b' {"domain": "se**et.example", "digest": "y", "severity": "silence", "comment": null}]'
    )
    entries, hidden = parse_published(body)
    assert [(e.domain, e.severity, e.public_comment) for e in entries] == [
        ("spam.test", "suspend", "spam")
    ]
    assert hidden == ["se**et.example"]
    entries, hidden = parse_published(FIXTURE.read_bytes())
    assert len(entries) == 4 and hidden == []
    for bad in (b"[{}]", b'[{"domain": "a.test", "severity": "worst"}]', b"[", b"\xff"):
        with pytest.raises(BlocklistError):
            parse_published(bad)


async def test_refresh_interval_is_for_administrators(
    staff: Context, client: httpx.AsyncClient
) -> None:
    page = "/admin/blocklists"
    await sign_in(client, "mo", "mo-password")
    refused = await submit(client, f"{page}/interval", {"hours": "6"}, form_page=page)
    assert refused.status_code == 403
    await sign_in(client, "ada", "ada-password")
    bad = await submit(client, f"{page}/interval", {"hours": "0.01"}, form_page=page)
    assert "error=bad_interval" in bad.headers["location"]
    assert await refresh_hours(staff) == 24
    await submit(client, f"{page}/interval", {"hours": "6"}, form_page=page)
    assert await refresh_hours(staff) == 6
