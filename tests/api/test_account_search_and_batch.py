"""GET /api/v1/accounts/search (prefix match on handles and names, following, paging) and
GET /api/v1/statuses?id[]= (several posts, each checked for visibility), through Mastodon.py and
over plain HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx

from fedi.accounts.members import add_member, set_suspended
from fedi.accounts.profiles import update_profile
from fedi.accounts.registrations import SignUp, register
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served


async def test_account_search_as_an_app_autocompletes(served: Served) -> None:
    context = served.context
    for name in ("alina", "alberto", "bob", "gone"):
        await add_member(context, name, f"{name}-password")
    await update_profile(context, "bob", display_name="Alfred Bob")
    await set_suspended(context, "gone", True)
    # A sign-up awaiting approval (the same database, seen in approval mode) is not found.
    approval = replace(context, settings=replace(context.settings, registrations="approval"))
    await register(approval, SignUp("alpending", "p@example.org", "long-enough", True))
    await follow(context, "alice", "alberto@" + context.settings.domain)

    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            return {
                "al": client.account_search("al"),
                "exact": client.account_search("bob"),
                "limited": client.account_search("al", limit=2),
                "following": client.account_search("al", following=True),
                "local": client.account_search(f"ali@{context.settings.domain}"),
            }

    found = await asyncio.to_thread(run)
    names = [a["username"] for a in found["al"]]
    assert names == ["alberto", "alice", "alina", "bob"]  # bob by his display name
    assert [a["username"] for a in found["exact"]] == ["bob"]
    assert len(found["limited"]) == 2
    assert [a["username"] for a in found["following"]] == ["alberto"]
    assert [a["username"] for a in found["local"]] == ["alice", "alina"]


async def test_account_search_wire_rules(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        assert (await http.get("/api/v1/accounts/search", params={"q": "a"})).status_code == 401

        def token() -> str:
            with logged_in(served.base, scopes=["read:statuses"]) as client:
                return str(client.access_token)

        narrow = {"Authorization": f"Bearer {await asyncio.to_thread(token)}"}
        refused = await http.get("/api/v1/accounts/search", params={"q": "a"}, headers=narrow)
        assert refused.status_code == 403

        def full() -> str:
            with logged_in(served.base) as client:
                return str(client.access_token)

        headers = {"Authorization": f"Bearer {await asyncio.to_thread(full)}"}
        for params in ({}, {"q": ""}, {"q": "x" * 201}):
            bad = await http.get("/api/v1/accounts/search", params=params, headers=headers)
            assert bad.status_code == 422, params
        for q in ("%", "_", "\\", "a%' OR 1=1 --"):
            odd = await http.get("/api/v1/accounts/search", params={"q": q}, headers=headers)
            assert odd.status_code == 200 and odd.json() == [], q
        paged = await http.get(
            "/api/v1/accounts/search/", params={"q": "ali", "limit": "x", "offset": "-3"},
            headers=headers,
        )  # fmt: skip
        assert paged.status_code == 200 and [a["username"] for a in paged.json()] == ["alice"]


async def test_several_statuses_at_once_only_the_visible(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    public = await post_status(context, "bob", "in the open")
    private = await post_status(context, "bob", "followers only", "private")
    direct = await post_status(context, "bob", "@alice just you", "direct")
    secret = await post_status(context, "bob", "nobody else", "direct")
    asked = [secret.id, direct.id, 12345, public.id, private.id, public.id]

    def run() -> tuple[Any, Any]:
        with logged_in(served.base) as client:
            return client.statuses([str(i) for i in asked]), None

    mine, _ = await asyncio.to_thread(run)
    assert [s["id"] for s in mine] == [str(direct.id), str(public.id)]
    async with httpx.AsyncClient(base_url=served.base) as http:
        query = {"id[]": [str(i) for i in asked]}
        anonymous = await http.get("/api/v1/statuses", params=query)
        assert anonymous.status_code == 200
        assert [s["id"] for s in anonymous.json()] == [str(public.id)]
        bad_token = await http.get(
            "/api/v1/statuses", params=query, headers={"Authorization": "Bearer nope"}
        )
        assert bad_token.status_code == 401
        junk = await http.get("/api/v1/statuses", params=[("id[]", "x"), ("id[]", "-1")])
        assert junk.status_code == 200 and junk.json() == []
        many = await http.get(
            "/api/v1/statuses", params=[("id[]", str(public.id + n)) for n in range(500)]
        )
        assert many.status_code == 200 and len(many.json()) <= 20
