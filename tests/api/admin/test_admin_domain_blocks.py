"""The admin API for domain rules, as Mastodon's: domain blocks through Mastodon.py's admin
methods, domain allows and our federation mode switch over HTTP, the public blocklist and its
setting, and who may call what (scopes and roles, checked at each request)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import pytest
from mastodon import MastodonAPIError

from fedi.accounts.members import add_member
from fedi.db import audit_log
from fedi.db.domain_rules import BlockFields
from fedi.moderation import domain_rules as moderation
from fedi.transport.domains import obfuscate
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.tokens import bearer

ADMIN_SCOPES = ["read", "admin:read", "admin:write"]


async def set_role(served: Served, username: str, role: str) -> None:
    await served.context.db.write(
        lambda conn: conn.execute(
            "UPDATE users SET role = ? WHERE account_id ="
            " (SELECT id FROM accounts WHERE username = ? AND domain IS NULL)",
            (role, username),
        )
    )


@pytest.fixture
async def staff(served: Served) -> Served:
    await add_member(served.context, "ada", "ada-password", "admin")
    await add_member(served.context, "mo", "mo-password", "moderator")
    return served


async def test_domain_blocks_through_mastodon_py(staff: Served) -> None:
    def run() -> dict[str, Any]:
        with logged_in(staff.base, ADMIN_SCOPES, username="mo") as client:
            created = client.admin_create_domain_block(
                "evil.example", severity="suspend", reject_media=True,
                private_comment="spam waves", public_comment="spam",
            )  # fmt: skip
            other = client.admin_create_domain_block("noisy.test", severity="silence")
            try:
                client.admin_create_domain_block("evil.example", severity="silence")
                duplicate: Any = None
            except MastodonAPIError as exc:
                duplicate = exc.args
            try:
                client.admin_create_domain_block("sub.evil.example", severity="silence")
                covered: Any = None
            except MastodonAPIError as exc:
                covered = exc.args
            try:
                client.admin_create_domain_block("bad.test", severity="obliterate")
                bad: Any = None
            except MastodonAPIError as exc:
                bad = exc.args
            listed = client.admin_domain_blocks()
            one = client.admin_domain_blocks(id=created["id"])
            updated = client.admin_update_domain_block(
                created["id"], severity="silence", reject_reports=True, obfuscate=True
            )
            client.admin_delete_domain_block(other["id"])
            after = client.admin_domain_blocks()
            return dict(created=created, duplicate=duplicate, covered=covered, bad=bad,
                        listed=listed, one=one, updated=updated, after=after)  # fmt: skip

    got = await asyncio.to_thread(run)
    created = got["created"]
    assert set(created) == {
        "id", "domain", "digest", "created_at", "severity", "reject_media", "reject_reports",
        "private_comment", "public_comment", "obfuscate",
    }  # fmt: skip
    assert created["domain"] == "evil.example"
    assert created["digest"] == hashlib.sha256(b"evil.example").hexdigest()
    assert (created["severity"], created["reject_media"], created["reject_reports"]) == (
        "suspend", True, False,
    )  # fmt: skip
    assert created["private_comment"] == "spam waves"
    assert created["public_comment"] == "spam"
    assert got["duplicate"][1] == 422
    assert got["covered"][1] == 422  # a parent's stricter block already covers it
    assert got["bad"][1] == 422
    assert [b["domain"] for b in got["listed"]] == ["noisy.test", "evil.example"]  # newest first
    assert got["one"]["id"] == created["id"]
    updated = got["updated"]
    assert (updated["severity"], updated["reject_media"], updated["reject_reports"],
            updated["obfuscate"]) == ("silence", True, True, True)  # fmt: skip
    assert [b["domain"] for b in got["after"]] == ["evil.example"]
    assert staff.context.policy.current.limits("a.evil.example")
    async with staff.context.db.read() as conn:
        actions = [e.action for e in await audit_log.entries(conn, limit=100)]
    assert {"create_domain_block", "update_domain_block", "destroy_domain_block"} <= set(actions)


async def test_paging_and_errors_over_http(staff: Served) -> None:
    async with httpx.AsyncClient(base_url=staff.base) as http:
        auth = await bearer(http, "mo", "admin:read admin:write")
        for n in range(5):
            response = await http.post(
                "/api/v1/admin/domain_blocks", json={"domain": f"d{n}.test"}, headers=auth
            )
            assert response.status_code == 200, response.text
        first = await http.get("/api/v1/admin/domain_blocks?limit=2", headers=auth)
        assert [b["domain"] for b in first.json()] == ["d4.test", "d3.test"]
        older = first.links["next"]["url"]
        second = await http.get(older, headers=auth)
        assert [b["domain"] for b in second.json()] == ["d2.test", "d1.test"]
        bad = await http.post(
            "/api/v1/admin/domain_blocks/", json={"domain": "not a domain"}, headers=auth
        )
        assert bad.status_code == 422 and "error" in bad.json()
        own = await http.post(
            "/api/v1/admin/domain_blocks/", json={"domain": "127.0.0.1"}, headers=auth
        )
        assert own.status_code == 422
        missing = await http.get("/api/v1/admin/domain_blocks/12345", headers=auth)
        assert missing.status_code == 404
        junk = await http.put(
            "/api/v1/admin/domain_blocks/nope", json={"severity": "x"}, headers=auth
        )
        assert junk.status_code == 404
        block_id = first.json()[0]["id"]
        worse = await http.put(
            f"/api/v1/admin/domain_blocks/{block_id}", json={"severity": "x"}, headers=auth
        )
        assert worse.status_code == 422 and "severity" in worse.json()["error"]
        kept = await http.get(f"/api/v1/admin/domain_blocks/{block_id}", headers=auth)
        assert kept.json()["severity"] == "silence"
        gone = await http.delete("/api/v1/admin/domain_blocks/12345", headers=auth)
        assert gone.status_code == 404


async def test_scopes_and_roles(staff: Served) -> None:
    async with httpx.AsyncClient(base_url=staff.base) as http:
        read_only = await bearer(http, "mo", "read write")
        assert (await http.get("/api/v1/admin/domain_blocks", headers=read_only)).status_code == 403
        await add_member(staff.context, "bea", "bea-password")
        member = await bearer(http, "bea", "admin:read admin:write")
        assert (await http.get("/api/v1/admin/domain_blocks", headers=member)).status_code == 403
        assert (await http.get("/api/v1/admin/domain_allows", headers=member)).status_code == 403
        only_read = await bearer(http, "mo", "admin:read:domain_blocks")
        assert (await http.get("/api/v1/admin/domain_blocks", headers=only_read)).status_code == 200
        refused = await http.post(
            "/api/v1/admin/domain_blocks", json={"domain": "x.test"}, headers=only_read
        )
        assert refused.status_code == 403
        mo = await bearer(http, "mo", "admin:read admin:write")
        assert (await http.get("/api/v1/admin/domain_blocks", headers=mo)).status_code == 200
        await set_role(staff, "mo", "member")
        assert (await http.get("/api/v1/admin/domain_blocks", headers=mo)).status_code == 403


async def test_domain_allows_and_federation_mode(staff: Served) -> None:
    async with httpx.AsyncClient(base_url=staff.base) as http:
        mo = await bearer(http, "mo", "admin:read admin:write")
        ada = await bearer(http, "ada", "admin:read:domain_allows admin:write:domain_allows")
        created = await http.post(
            "/api/v1/admin/domain_allows/", json={"domain": "friend.test"}, headers=mo
        )
        assert created.status_code == 200, created.text
        allow = created.json()
        assert set(allow) == {"id", "domain", "created_at"} and allow["domain"] == "friend.test"
        listed = await http.get("/api/v1/admin/domain_allows", headers=mo)
        assert [a["domain"] for a in listed.json()] == ["friend.test"]
        shown = await http.get(f"/api/v1/admin/domain_allows/{allow['id']}", headers=mo)
        assert shown.json() == allow
        bad = await http.post("/api/v1/admin/domain_allows", json={"domain": ""}, headers=mo)
        assert bad.status_code == 422

        # The mode switch is ours and for administrators only.
        assert (await http.get("/api/v1/admin/federation", headers=mo)).status_code == 403
        assert (await http.get("/api/v1/admin/federation", headers=ada)).json() == {"mode": "open"}
        switched = await http.put(
            "/api/v1/admin/federation", json={"mode": "allowlist"}, headers=ada
        )
        assert switched.json() == {"mode": "allowlist"}
        assert staff.context.policy.refuses("stranger.test")
        assert not staff.context.policy.refuses("friend.test")
        wrong = await http.put("/api/v1/admin/federation", json={"mode": "closed"}, headers=ada)
        assert wrong.status_code == 422
        await http.put("/api/v1/admin/federation", json={"mode": "open"}, headers=ada)
        assert not staff.context.policy.refuses("stranger.test")

        deleted = await http.delete(f"/api/v1/admin/domain_allows/{allow['id']}", headers=mo)
        assert deleted.status_code == 200
        assert (await http.get("/api/v1/admin/domain_allows", headers=mo)).json() == []


async def test_public_blocklist_and_its_setting(staff: Served) -> None:
    context = staff.context
    spam = BlockFields("suspend", public_comment="spam")
    await moderation.block_domain(context, None, "spam.test", spam)
    hidden = BlockFields("silence", obfuscate=True)
    await moderation.block_domain(context, None, "hidden-server.example", hidden)
    await moderation.block_domain(context, None, "quiet.test", BlockFields("noop"))
    async with httpx.AsyncClient(base_url=staff.base) as http:
        listed = (await http.get("/api/v1/instance/domain_blocks")).json()
        assert "hidden-server" not in str(listed)
        assert listed == [
            {"domain": "spam.test", "digest": hashlib.sha256(b"spam.test").hexdigest(),
             "severity": "suspend", "comment": "spam"},
            {"domain": obfuscate("hidden-server.example"),
             "digest": hashlib.sha256(b"hidden-server.example").hexdigest(),
             "severity": "silence", "comment": None},
        ]  # fmt: skip
        await moderation.set_show_domain_blocks(context, None, "users")
        assert (await http.get("/api/v1/instance/domain_blocks")).status_code == 404
        token = await bearer(http, "alice", "read")
        assert (await http.get("/api/v1/instance/domain_blocks", headers=token)).status_code == 200
        await moderation.set_show_domain_blocks(context, None, "none")
        refused = await http.get("/api/v1/instance/domain_blocks", headers=token)
        assert refused.status_code == 404
        with pytest.raises(moderation.DomainRuleError):
            await moderation.set_show_domain_blocks(context, None, "some")
