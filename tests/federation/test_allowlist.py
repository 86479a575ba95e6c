"""Limited federation across three instances: alice's server allows only bob's. Alice and bob
follow, post and deliver both ways; carol's server gets nothing from alice's, can fetch nothing
there (signed or not) and has its deliveries refused, until alice's server leaves allowlist mode
at run time, without a restart."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from fedi.accounts.members import add_member
from fedi.db import accounts
from fedi.federation.signing import signer_for
from fedi.moderation.domain_rules import allow_domain, set_allowlist_mode
from fedi.statuses.posting import post_status
from fedi.transport.http import HttpResponse
from tests.federation.test_api_across_instances import app_for
from tests.testrig.instances import Instance, federation, settle

AS_JSON = "application/activity+json"


def follow_each_other(x: Instance, y: Instance, x_name: str, y_name: str) -> None:
    with app_for(x, x_name) as first:
        found = first.search_v2(y.handle(y_name), resolve=True)["accounts"]
        first.account_follow(found[0]["id"])
    with app_for(y, y_name) as second:
        found = second.search_v2(x.handle(x_name), resolve=True)["accounts"]
        second.account_follow(found[0]["id"])


def home_texts(instance: Instance, username: str) -> list[str]:
    with app_for(instance, username) as client:
        return [s["content"] for s in client.timeline_home()]


async def fetch(by: Instance, url: str, *, signed: bool) -> HttpResponse:
    sign = signer_for(by.ctx, by.ctx.instance_actor) if signed else None
    return await by.ctx.http.get(url, {"Accept": AS_JSON}, sign=sign)


async def deliver(by: Instance, username: str, url: str) -> HttpResponse:
    async with by.ctx.db.read() as conn:
        account = await accounts.get_local_actor(conn, username)
    assert account is not None
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{account.uri}#likes/1",
        "type": "Like",
        "actor": account.uri,
        "object": f"{by.base}/nothing",
    }
    body = json.dumps(activity).encode()
    return await by.ctx.http.post(
        url, body, {"Content-Type": AS_JSON}, sign=signer_for(by.ctx, account)
    )


async def test_allowlist_mode_federates_with_allowed_servers_only(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob", "carol") as (a, b, c):
        for instance, name in ((a, "alice"), (b, "bob"), (c, "carol")):
            await add_member(instance.ctx, name, f"{name}-password")
        # Carol and alice follow each other while alice's server is open to all.
        await asyncio.to_thread(follow_each_other, a, c, "alice", "carol")
        await settle(a, b, c)

        await allow_domain(a.ctx, None, b.domain)
        await set_allowlist_mode(a.ctx, None, True)
        await asyncio.to_thread(follow_each_other, a, b, "alice", "bob")
        await settle(a, b, c)

        post = await post_status(a.ctx, "alice", "for the allowed")
        await post_status(b.ctx, "bob", "from the allowed")
        carol_before = len(c.received)
        await post_status(c.ctx, "carol", "from the refused")
        await settle(a, b, c)
        assert any("for the allowed" in t for t in await asyncio.to_thread(home_texts, b, "bob"))
        alice_home = await asyncio.to_thread(home_texts, a, "alice")
        assert any("from the allowed" in t for t in alice_home)
        assert not any("from the refused" in t for t in alice_home)
        assert len(c.received) == carol_before  # nothing from alice's server reached carol's

        # Bob answers and boosts alice's post: both arrive, the reply in its thread.
        def bob_answers() -> None:
            with app_for(b, "bob") as bob:
                found = bob.search_v2(post.uri, resolve=True)["statuses"]
                bob.status_post(f"@alice@{a.domain} welcome", in_reply_to_id=found[0]["id"])
                bob.status_reblog(found[0]["id"])

        await asyncio.to_thread(bob_answers)
        await settle(a, b, c)

        def alice_notified() -> tuple[list[str], Any]:
            with app_for(a, "alice") as alice:
                kinds = sorted(n["type"] for n in alice.notifications())
                return kinds, alice.status_context(post.id)["descendants"]

        kinds, replies = await asyncio.to_thread(alice_notified)
        assert kinds == ["follow", "follow", "mention", "reblog"]
        assert [r["in_reply_to_id"] for r in replies] == [str(post.id)]
        async with c.ctx.db.read() as conn:
            cursor = await conn.execute("SELECT state, last_error FROM deliveries WHERE host = ?",
                                        (a.domain,))  # fmt: skip
            refused = [tuple(r) for r in await cursor.fetchall()]
        assert refused[-1] == ("failed", "HTTP 403")

        # Carol's server can fetch nothing, signed or not; bob's can, signed.
        documents = [f"{a.base}/users/alice", post.uri, f"{a.base}/users/alice/outbox"]
        for url in documents:
            assert (await fetch(c, url, signed=True)).status == 403, url
            assert (await fetch(c, url, signed=False)).status == 401, url
            assert (await fetch(b, url, signed=True)).status == 200, url
        assert (await deliver(c, "carol", f"{a.base}/inbox")).status == 403
        # The instance actor, WebFinger and NodeInfo stay open, so allowed servers can start.
        assert (await fetch(c, f"{a.base}/actor", signed=False)).status == 200
        finger = f"{a.base}/.well-known/webfinger?resource=acct:alice@{a.domain}"
        assert (await c.ctx.http.get(finger)).status == 200

        # Anonymous readers of the API and the pages are asked to sign in.
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{a.port}", headers={"Host": a.domain}
        ) as http:
            for path in ("/api/v1/timelines/public", f"/api/v1/statuses/{post.id}",
                         "/api/v1/timelines/tag/x"):  # fmt: skip
                response = await http.get(path)
                assert response.status_code == 401, path
                assert response.json()["error"]
            page = await http.get("/@alice")
            assert page.status_code == 303 and "/auth/sign_in" in page.headers["location"]
            assert (await http.get(f"/@alice/{post.id}")).status_code == 303

        # Leaving allowlist mode takes effect at once.
        await set_allowlist_mode(a.ctx, None, False)
        await post_status(c.ctx, "carol", "carol again")
        await post_status(a.ctx, "alice", "open again")
        await settle(a, b, c)
        alice_home = await asyncio.to_thread(home_texts, a, "alice")
        assert any("carol again" in t for t in alice_home)
        assert any("open again" in t for t in await asyncio.to_thread(home_texts, c, "carol"))
        for url in documents:
            assert (await fetch(c, url, signed=True)).status == 200, url
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{a.port}", headers={"Host": a.domain}
        ) as http:
            public: Any = (await http.get("/api/v1/timelines/public")).json()
            assert any("open again" in s["content"] for s in public)
