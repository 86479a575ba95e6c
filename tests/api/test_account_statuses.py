"""An account's posts as a signed-in member sees them: with their own favourites marked and
their `account`-context filters applied; anonymously, with neither."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from fedi.accounts.members import add_member
from fedi.statuses.interactions import favourite
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served


async def test_account_statuses_carry_the_viewers_state_and_filters(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    liked = await post_status(served.context, "bob", "a fine day")
    await post_status(served.context, "bob", "the match spoiler")
    await favourite(served.context, "alice", liked.id)

    def run() -> tuple[list[Any], Any]:
        with logged_in(served.base) as client:
            client.create_filter_v2(
                "spoilers", ["account"], filter_action="hide",
                keywords_attributes=[{"keyword": "spoiler"}],
            )  # fmt: skip
            bob = client.account_lookup("bob")
            return list(client.account_statuses(bob["id"])), bob["id"]

    seen, bob_id = await asyncio.to_thread(run)
    assert [(s["content"], s["favourited"]) for s in seen] == [("<p>a fine day</p>", True)]
    async with httpx.AsyncClient(base_url=served.base) as http:
        anonymous = (await http.get(f"/api/v1/accounts/{bob_id}/statuses")).json()
        bad = await http.get(
            f"/api/v1/accounts/{bob_id}/statuses", headers={"Authorization": "Bearer nope"}
        )
    assert [(s["content"], s["favourited"]) for s in anonymous] == [
        ("<p>the match spoiler</p>", False),
        ("<p>a fine day</p>", False),
    ]
    assert bad.status_code == 401
