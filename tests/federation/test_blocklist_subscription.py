"""A blocklist subscription between two full instances: alpha publishes its domain blocks
(/api/v1/instance/domain_blocks), beta follows that list. Nothing takes effect on beta before a
moderator reviews it; applied entries are refused; alpha lifting or adding a block becomes a
pending removal or addition; manual blocks on beta are never touched; hidden entries are listed
as not importable. Every step is in beta's audit log."""

from __future__ import annotations

from pathlib import Path

import httpx

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import DomainBlock
from fedi.db import audit_log, blocklists, domain_rules
from fedi.db import domain_rules as rules
from fedi.db.domain_rules import BlockFields
from fedi.moderation import blocklist_subscriptions as subscriptions
from fedi.moderation.domain_rules import block_domain, unblock_domain
from tests.testrig.group_web import BROWSER, csrf_token
from tests.testrig.instances import federation


async def pending_of(context: Context) -> dict[str, str]:
    async with context.db.read() as conn:
        return {p.listed.domain: p.kind for p in await blocklists.pending(conn)}


async def block_of(context: Context, domain: str) -> DomainBlock | None:
    async with context.db.read() as conn:
        return await domain_rules.block_of(conn, domain)


async def test_subscribed_blocklist_waits_for_review(tmp_path: Path) -> None:
    async with federation(tmp_path, "alpha", "beta") as (a, b):
        mod = (await add_member(b.ctx, "mod", "mod-password", "moderator")).account
        await block_domain(a.ctx, None, "spam.test", BlockFields("suspend", public_comment="spam"))
        await block_domain(a.ctx, None, "noisy.example", BlockFields("silence"))
        await block_domain(a.ctx, None, "secret.example", BlockFields("suspend", obfuscate=True))
        await block_domain(b.ctx, None, "noisy.example", BlockFields("suspend"))  # beta's own

        url = f"{a.base}/api/v1/instance/domain_blocks"
        sub_id = await subscriptions.subscribe(b.ctx, mod, url)
        async with b.ctx.db.read() as conn:
            sub = await blocklists.get_subscription(conn, sub_id)
        assert sub is not None
        refreshed = await subscriptions.refresh(b.ctx, sub)
        assert refreshed.error == ""
        assert await pending_of(b.ctx) == {"spam.test": "add", "noisy.example": "add"}
        async with b.ctx.db.read() as conn:
            sub = await blocklists.get_subscription(conn, sub_id)
        assert sub is not None and len(sub.unimportable) == 1
        assert "secret.example" not in sub.unimportable[0]
        assert not b.ctx.policy.refuses("spam.test")  # nothing applied before review

        async with b.ctx.db.read() as conn:
            waiting = await blocklists.pending(conn)
        for change in waiting:
            await subscriptions.apply(b.ctx, mod, change.id)
        assert b.ctx.policy.refuses("spam.test") and b.ctx.policy.refuses("a.spam.test")
        spam = await block_of(b.ctx, "spam.test")
        assert spam is not None
        assert (spam.source, spam.source_detail, spam.public_comment) == (
            "subscription", url, "spam",
        )  # fmt: skip
        noisy = await block_of(b.ctx, "noisy.example")
        assert noisy is not None and (noisy.source, noisy.severity) == ("manual", "suspend")
        await subscriptions.refresh(b.ctx, sub)
        assert await pending_of(b.ctx) == {}  # nothing new

        # alpha lifts both and adds one: removals and an addition wait for review.
        for domain in ("spam.test", "noisy.example"):
            lifted = await block_of(a.ctx, domain)
            assert lifted is not None
            await unblock_domain(a.ctx, None, lifted)
        await block_domain(a.ctx, None, "bots.test", BlockFields("silence"))
        await subscriptions.refresh(b.ctx, sub)
        assert await pending_of(b.ctx) == {
            "spam.test": "remove", "noisy.example": "remove", "bots.test": "add",
        }  # fmt: skip
        assert b.ctx.policy.refuses("spam.test")  # still blocked until reviewed

        async with b.ctx.db.read() as conn:
            by_domain = {p.listed.domain: p for p in await blocklists.pending(conn)}
        assert await subscriptions.apply(b.ctx, mod, by_domain["spam.test"].id) == "unblocked"
        assert await subscriptions.apply(b.ctx, mod, by_domain["noisy.example"].id) == "kept"
        assert await subscriptions.dismiss(b.ctx, mod, by_domain["bots.test"].id)
        assert not b.ctx.policy.refuses("spam.test")
        noisy = await block_of(b.ctx, "noisy.example")
        assert noisy is not None and noisy.source == "manual"  # the manual block stays
        assert await block_of(b.ctx, "bots.test") is None
        await subscriptions.refresh(b.ctx, sub)
        assert await pending_of(b.ctx) == {}  # a dismissed entry is not proposed again

        async with b.ctx.db.read() as conn:
            actions = [e.action for e in await audit_log.entries(conn, limit=100)]
            remaining = [x.domain for x in await rules.all_blocks(conn)]
        assert "create_blocklist_subscription" in actions
        assert "apply_blocklist_changes" in actions and "dismiss_blocklist_changes" in actions
        assert remaining == ["noisy.example"]


async def test_unreachable_or_bad_lists_are_reported(tmp_path: Path) -> None:
    async with federation(tmp_path, "alpha", "beta") as (a, b):
        sub_id = await subscriptions.subscribe(b.ctx, None, f"{a.base}/no/such/list")
        async with b.ctx.db.read() as conn:
            sub = await blocklists.get_subscription(conn, sub_id)
        assert sub is not None
        result = await subscriptions.refresh(b.ctx, sub)
        assert "404" in result.error
        async with b.ctx.db.read() as conn:
            sub = await blocklists.get_subscription(conn, sub_id)
        assert sub is not None and "404" in sub.last_error
        assert await pending_of(b.ctx) == {}


async def test_subscription_through_the_admin_page(tmp_path: Path) -> None:
    async with federation(tmp_path, "alpha", "beta") as (a, b):
        await add_member(b.ctx, "mod", "mod-password", "moderator")
        await block_domain(a.ctx, None, "spam.test", BlockFields("suspend"))
        loopback = f"http://127.0.0.1:{b.port}"  # beta.test resolves only inside the instances
        headers = BROWSER | {"Host": b.domain}
        async with httpx.AsyncClient(base_url=loopback, headers=headers) as http:
            token = await csrf_token(http, "/auth/sign_in")
            signed = await http.post("/auth/sign_in", data={
                "csrf_token": token, "username": "mod", "password": "mod-password", "next": "/",
            })  # fmt: skip
            assert signed.status_code == 303

            async def post(path: str, **fields: str) -> httpx.Response:
                token = await csrf_token(http, "/admin/blocklists")
                return await http.post(path, data={"csrf_token": token, **fields})

            url = f"{a.base}/api/v1/instance/domain_blocks"
            assert (await post("/admin/blocklists/subscriptions", url=url)).status_code == 303
            page = await http.get("/admin/blocklists")
            assert url in page.text and "spam.test" in page.text  # fetched at once, waiting
            assert not b.ctx.policy.refuses("spam.test")
            again = await post("/admin/blocklists/subscriptions", url=url)
            assert "error=bad_subscription" in again.headers["location"]
            assert (await post("/admin/blocklists/pending", action="apply", all="1")).is_redirect
            assert b.ctx.policy.refuses("spam.test")

            lifted = await block_of(a.ctx, "spam.test")
            assert lifted is not None
            await unblock_domain(a.ctx, None, lifted)
            async with b.ctx.db.read() as conn:
                (sub,) = await blocklists.subscriptions(conn)
            await post(f"/admin/blocklists/subscriptions/{sub.id}/refresh")
            assert await pending_of(b.ctx) == {"spam.test": "remove"}
            async with b.ctx.db.read() as conn:
                (change,) = await blocklists.pending(conn)
            await post("/admin/blocklists/pending", action="apply", pending_id=str(change.id))
            assert not b.ctx.policy.refuses("spam.test")
            await post(f"/admin/blocklists/subscriptions/{sub.id}/delete")
            async with b.ctx.db.read() as conn:
                assert await blocklists.subscriptions(conn) == []
