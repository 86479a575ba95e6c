"""No shared cache may keep what depends on who asks: API answers (as Mastodon sends them),
answers to signed fetches (a follower's server fetching a followers-only post), and pages for a
signed-in member (a private group's page) are `Cache-Control: private, no-store`; the style
sheet and public objects fetched without credentials keep their own policy."""

from __future__ import annotations

from pathlib import Path

import httpx

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.federation.dereference import AS_ACCEPT
from fedi.federation.signing import signer_for
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.testrig.group_web import BROWSER, sign_in
from tests.testrig.instances import federation, settle

PRIVATE = "private, no-store"


async def test_api_answers_are_private(client: httpx.AsyncClient, context: Context) -> None:
    for path in ("/api/v1/instance", "/api/v2/instance", "/api/v1/timelines/public",
                 "/api/v1/timelines/home", "/api/v1/not_a_thing"):  # fmt: skip
        response = await client.get(path)
        assert response.headers.get("cache-control") == PRIVATE, path


async def test_a_private_groups_page_for_its_member_is_private(
    client: httpx.AsyncClient, context: Context
) -> None:
    await add_member(context, "olga", "olga-password")
    await create_group(context, "casework", "olga", is_private=True)
    await sign_in(client, "olga", "olga-password")
    for path in ("/@casework", "/@casework/library", "/groups", "/home"):
        page = await client.get(path, headers=BROWSER)
        assert page.status_code == 200, path
        assert page.headers.get("cache-control") == PRIVATE, path
    style = await client.get("/static/style.css")
    assert style.status_code == 200 and style.headers.get("cache-control") != PRIVATE


async def test_a_signed_fetch_of_a_followers_only_post_is_private(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        private = await post_status(a.ctx, "alice", "For my followers", "private")
        public = await post_status(a.ctx, "alice", "For everyone")
        signed = await b.ctx.http.get(
            private.uri, {"Accept": AS_ACCEPT}, sign=signer_for(b.ctx, b.ctx.instance_actor)
        )
        anonymous = await b.ctx.http.get(public.uri, {"Accept": AS_ACCEPT})
    assert signed.status == 200 and signed.headers.get("cache-control") == PRIVATE
    assert anonymous.status == 200 and anonymous.headers.get("cache-control") != PRIVATE
