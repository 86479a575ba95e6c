"""A confidential space's library across two instances: groups.test keeps the space and its
files; home.test has a member (bob) and a non-member (carl). A new document reaches home.test as
the space's Create{Document}, addressed to the members only; bob lists it through his own
server, which fetches the file for him with a GET signed by his actor; carl, an unsigned fetch
and a fetch signed by carl are all refused. New versions and removals follow."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from fedi.accounts.members import add_member, get_member
from fedi.activitypub.vocab import ACTIVITY_JSON
from fedi.core.models import Account, Group
from fedi.db import accounts
from fedi.db import groups as group_rows
from fedi.federation.signing import signer_for
from fedi.groups import moderation
from fedi.groups import settings as group_settings
from fedi.groups.groups import create_group
from fedi.library import documents
from fedi.library.documents import Upload
from fedi.relationships.relationships import follow
from tests.api.tokens import bearer
from tests.testrig import documents as files
from tests.testrig.groups import leave
from tests.testrig.instances import Instance, federation, settle

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@asynccontextmanager
async def http_to(instance: Instance) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP to an instance's port, under its name."""
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{instance.port}", headers={"Host": instance.domain},
        timeout=10,
    ) as http:  # fmt: skip
        yield http


async def space_with_remote_member(g: Instance, h: Instance) -> tuple[Group, Account]:
    olga = await add_member(g.ctx, "olga", "olga-password")
    await add_member(h.ctx, "bob", "bob-password")
    await add_member(h.ctx, "carl", "carl-password")
    group = await create_group(g.ctx, "casework", "olga", is_private=True)
    await group_settings.add_partner_domain(g.ctx, group, olga, h.domain)
    await follow(h.ctx, "bob", g.handle("casework"))
    await settle(g, h)
    async with g.ctx.db.read() as conn:
        [remote_bob] = await group_rows.members(conn, group.id, "pending")
    await moderation.approve(g.ctx, group, olga, remote_bob.id)
    await settle(g, h)
    async with h.ctx.db.read() as conn:
        group_there = await accounts.get_by_uri(conn, group.account.uri)
    assert group_there is not None
    return group, group_there


async def web_sign_in(http: httpx.AsyncClient, instance: Instance, username: str) -> None:
    http.cookies.clear()
    form = await http.get("/auth/sign_in")
    match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert match
    signed_in = await http.post(
        "/auth/sign_in",
        data={"csrf_token": match[1], "username": username, "password": f"{username}-password"},
        headers={"Origin": instance.base},
    )
    assert signed_in.status_code == 303, signed_in.text


def received(instance: Instance, kind: str) -> list[dict[str, Any]]:
    return [r.activity for r in instance.received if r.activity.get("type") == kind]


async def test_a_confidential_document_reaches_a_partner_member_and_no_one_else(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "groups", "home") as (g, h):
        group, group_there = await space_with_remote_member(g, h)
        async with g.ctx.db.read() as conn:
            olga = await accounts.get_local_actor(conn, "olga")
        assert olga is not None
        first = files.pdf("Strategy v1")
        document = await documents.upload_document(
            g.ctx, group, olga,
            Upload(first, "strategy.pdf", title="Strategy", description="For the hearing",
                   language="en"),
        )  # fmt: skip
        await settle(g, h)

        [create] = received(h, "Create")
        sent = create["object"]
        assert sent["type"] == "Document" and sent["id"] == document.uri
        assert (sent["name"], sent["title"], sent["summary"]) == (
            "strategy.pdf", "Strategy", "For the hearing",
        )  # fmt: skip
        assert sent["size"] == len(first) and sent["mediaType"] == "application/pdf"
        assert sent["context"] == group.account.uri and sent["language"] == "en"
        assert create["to"] == [group.account.followers_uri] and PUBLIC not in str(create)
        origin_url = sent["url"]
        assert origin_url.startswith(f"{g.base}/media/")

        async with http_to(h) as home:
            bob = await bearer(home, "bob", "read")
            carl = await bearer(home, "carl", "read")
            library = f"/api/v1/groups/{group_there.id}/library"
            listed = await home.get(library, headers=bob)
            assert listed.status_code == 200, listed.text
            [entry] = listed.json()["documents"]
            assert (entry["name"], entry["title"], entry["size"]) == (
                "strategy.pdf", "Strategy", len(first),
            )  # fmt: skip
            relay = httpx.URL(entry["url"]).path
            assert relay.startswith("/library/files/")
            got = await home.get(relay, headers=bob)
            assert got.status_code == 200 and got.content == first
            assert got.headers["cache-control"] == "private, no-store"
            assert "strategy.pdf" in got.headers["content-disposition"]
            # carl is on the member's server, not in the space: nothing, as if it did not exist
            assert (await home.get(library, headers=carl)).status_code == 404
            assert (await home.get(relay, headers=carl)).status_code == 404
            assert (await home.get(relay)).status_code == 404
        # The same on bob's server's pages, signed in; nothing for carl or a visitor.
        page_path = f"/@casework@{g.domain}/library"
        async with http_to(h) as home:
            assert (await home.get(page_path)).status_code == 404
            await web_sign_in(home, h, "carl")
            assert (await home.get(page_path)).status_code == 404
            await web_sign_in(home, h, "bob")
            profile = await home.get(f"/@casework@{g.domain}?lang=en")
            assert f'href="{page_path}"' in profile.text
            page = await home.get(f"{page_path}?lang=ar")
            assert page.status_code == 200 and "<bdi>strategy.pdf</bdi>" in page.text
            assert 'enctype="multipart/form-data"' not in page.text  # uploads happen there
            document_page = await home.get(f"{page_path}/{entry['id']}?lang=en")
            assert relay in document_page.text
            assert (await home.get(relay)).content == first  # with bob's session
        # home.test kept a link, not the file
        assert not list(h.ctx.settings.media_dir.glob("*.pdf"))

        async def origin(signer: Account | None) -> int:
            sign = signer_for(h.ctx, signer) if signer is not None else None
            return (await h.ctx.http.get(origin_url, {"Accept": "*/*"}, sign=sign)).status

        async with h.ctx.db.read() as conn:
            bob_here = await accounts.get_local_actor(conn, "bob")
            carl_here = await accounts.get_local_actor(conn, "carl")
        assert bob_here is not None and carl_here is not None
        assert await origin(bob_here) == 200
        assert await origin(None) == 404
        assert await origin(carl_here) == 404
        assert await origin(h.ctx.instance_actor) == 404

        async def fetch_object(signer: Account | None) -> tuple[int, bytes]:
            sign = signer_for(h.ctx, signer) if signer is not None else None
            answer = await h.ctx.http.get(document.uri, {"Accept": ACTIVITY_JSON}, sign=sign)
            return answer.status, answer.body

        status, body = await fetch_object(bob_here)
        assert status == 200 and json.loads(body)["name"] == "strategy.pdf"
        missing = document.uri.rsplit("/", 1)[0] + "/1"
        assert (await fetch_object(None))[0] == (await fetch_object(carl_here))[0] == 404
        assert (await h.ctx.http.get(missing, {"Accept": ACTIVITY_JSON})).status == 404

        # Larger than the 1 MB the HTTP client reads of JSON: a file has the upload limit.
        second = files.pdf("Strategy v2, revised" + " annex" * 250_000)
        assert len(second) > 1_048_576
        await documents.upload_document(g.ctx, group, olga, Upload(second, "strategy.pdf"))
        await settle(g, h)
        assert [u["type"] for u in received(h, "Update")] == ["Update"]
        async with http_to(h) as home:
            bob = await bearer(home, "bob", "read")
            shown = await home.get(f"{library}/{entry['id']}", headers=bob)
            versions = shown.json()["versions"]
            assert [v["size"] for v in versions] == [len(second), len(first)]
            newest = await home.get(httpx.URL(versions[0]["url"]).path, headers=bob)
            assert newest.content == second

        await documents.delete_document(g.ctx, group, await get_member(g.ctx, "olga"), document.id)
        await settle(g, h)
        async with http_to(h) as home:
            bob = await bearer(home, "bob", "read")
            assert (await home.get(library, headers=bob)).json()["documents"] == []


async def test_a_document_from_a_space_nobody_here_joined_is_not_kept(tmp_path: Path) -> None:
    async with federation(tmp_path, "groups", "home") as (g, h):
        group, _ = await space_with_remote_member(g, h)
        async with g.ctx.db.read() as conn:
            olga = await accounts.get_local_actor(conn, "olga")
        assert olga is not None
        async with h.ctx.db.read() as conn:
            bob = await accounts.get_local_actor(conn, "bob")
        assert bob is not None
        remote_bob_uri = bob.uri
        await leave(g.ctx, "casework", remote_bob_uri)
        await documents.upload_document(g.ctx, group, olga, Upload(files.pdf(), "late.pdf"))
        await settle(g, h)
        assert received(h, "Create") == []  # sent to current members only
