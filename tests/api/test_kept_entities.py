"""Rendered statuses and accounts are kept between requests (fedi.api.kept, fedi.db.row_memo),
and tokens' models too: every answer is still the fresh one at once, after an edit, a new
profile, a favourite, a deletion, a revoked token or a member asking for what only another may
see. Each page is asked for twice first, so that what it shows is kept before the change."""

from __future__ import annotations

from typing import Any

import httpx

from fedi.core.models import RemoteActor
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts
from tests.api.conftest import Served
from tests.api.people import accepted_follow, account_id_of, remote_post
from tests.api.test_private_group_posts import copy_of, ids, world
from tests.api.test_streaming import follows, members
from tests.testrig.groups import leave, local_account

HOME = "/api/v1/timelines/home"


async def call(
    served: Served, token: str | None, method: str, path: str, **data: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=served.base) as http:
        return await http.request(method, path, headers=headers, data=data or None)


async def page(served: Served, token: str, path: str = HOME) -> list[dict[str, Any]]:
    """The page as it is now, asked for twice (the second answer comes from what was kept)."""
    first = await call(served, token, "GET", path)
    again = await call(served, token, "GET", path)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json() == again.json()
    body: list[dict[str, Any]] = again.json()
    return body


def shown(body: list[dict[str, Any]], status_id: str) -> dict[str, Any]:
    return next(s for s in body if s["id"] == status_id)


async def post(served: Served, token: str, text: str) -> str:
    answer = await call(served, token, "POST", "/api/v1/statuses", status=text)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


async def test_an_edited_post_is_shown_edited_at_once(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    await follows(served, "bob", "alice")
    status_id = await post(served, tokens["alice"], "first words")
    before = shown(await page(served, tokens["bob"]), status_id)
    assert "first words" in before["content"] and before["edited_at"] is None

    edited = await call(
        served, tokens["alice"], "PUT", f"/api/v1/statuses/{status_id}", status="second words"
    )
    assert edited.status_code == 200, edited.text
    after = shown(await page(served, tokens["bob"]), status_id)
    assert "second words" in after["content"] and after["edited_at"] is not None


async def test_a_new_display_name_shows_on_every_post_at_once(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    await follows(served, "bob", "alice")
    status_id = await post(served, tokens["alice"], "hello")
    assert shown(await page(served, tokens["bob"]), status_id)["account"]["display_name"] != "Al"

    changed = await call(
        served, tokens["alice"], "PATCH", "/api/v1/accounts/update_credentials", display_name="Al"
    )
    assert changed.status_code == 200, changed.text
    assert shown(await page(served, tokens["bob"]), status_id)["account"]["display_name"] == "Al"


async def rita(served: Served, avatar: str | None) -> int:
    """A remote actor stored (or refreshed, as a new fetch of her profile would)."""
    base = "https://remote.example/users/rita"
    actor = RemoteActor(
        uri=base, actor_type="Person", username="rita", domain="remote.example",
        display_name="Rita", note="", fields=(), url=base, inbox_uri=f"{base}/inbox",
        shared_inbox_uri=None, outbox_uri=None, followers_uri=None, following_uri=None,
        featured_uri=None, public_key_id=f"{base}#main-key", public_key_pem="unused",
        avatar_remote_url=avatar, header_remote_url=None, is_locked=False, is_bot=False,
        is_discoverable=True, also_known_as=(), moved_to_uri=None,
    )  # fmt: skip
    now = to_db(utcnow())
    return await served.context.db.write(
        lambda conn: accounts.upsert_remote(conn, actor, now, accept_new_key=True)
    )


async def test_a_new_avatar_shows_at_once(served: Served) -> None:
    tokens = await members(served, "alice")
    remote_id = await rita(served, "https://remote.example/old.png")
    await accepted_follow(served.context, await account_id_of(served.context, "alice"), remote_id)
    status_id = str(await remote_post(served.context, remote_id, "from afar"))
    before = shown(await page(served, tokens["alice"]), status_id)["account"]
    assert before["avatar"] == "https://remote.example/old.png"

    assert await rita(served, "https://remote.example/new.png") == remote_id
    after = shown(await page(served, tokens["alice"]), status_id)["account"]
    assert after["avatar"] == after["avatar_static"] == "https://remote.example/new.png"


async def test_a_favourite_counts_at_once_and_marks_only_its_giver(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    await follows(served, "bob", "alice")
    status_id = await post(served, tokens["alice"], "like me")
    assert shown(await page(served, tokens["alice"]), status_id)["favourites_count"] == 0
    assert shown(await page(served, tokens["bob"]), status_id)["favourites_count"] == 0

    liked = await call(served, tokens["bob"], "POST", f"/api/v1/statuses/{status_id}/favourite")
    assert liked.status_code == 200, liked.text
    for name, mine in (("alice", False), ("bob", True)):
        seen = shown(await page(served, tokens[name]), status_id)
        assert seen["favourites_count"] == 1
        assert seen["favourited"] is mine


async def test_a_deleted_post_is_gone_at_once(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    await follows(served, "bob", "alice")
    status_id = await post(served, tokens["alice"], "short-lived")
    assert status_id in [s["id"] for s in await page(served, tokens["bob"])]
    assert (await call(served, tokens["bob"], "GET", f"/api/v1/statuses/{status_id}")).is_success

    deleted = await call(served, tokens["alice"], "DELETE", f"/api/v1/statuses/{status_id}")
    assert deleted.status_code == 200, deleted.text
    assert status_id not in [s["id"] for s in await page(served, tokens["bob"])]
    gone = await call(served, tokens["bob"], "GET", f"/api/v1/statuses/{status_id}")
    assert gone.status_code == 404


async def test_a_revoked_token_fails_on_the_next_request(served: Served) -> None:
    await members(served, "alice")
    async with httpx.AsyncClient(base_url=served.base) as http:
        app = (
            await http.post(
                "/api/v1/apps",
                data={
                    "client_name": "t",
                    "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                    "scopes": "read",
                },
            )
        ).json()
        issued = await http.post(
            "/oauth/token",
            data={"grant_type": "password", "client_id": app["client_id"],
                  "client_secret": app["client_secret"], "username": "alice",
                  "password": "alice-password", "scope": "read"},
        )  # fmt: skip
        token = issued.json()["access_token"]
        await page(served, token)
        revoked = await http.post(
            "/oauth/revoke",
            data={"client_id": app["client_id"], "client_secret": app["client_secret"],
                  "token": token},
        )  # fmt: skip
        assert revoked.status_code == 200, revoked.text
    refused = await call(served, token, "GET", HOME)
    assert refused.status_code == 401


async def test_a_private_group_post_seen_by_a_member_stays_hidden_from_others(
    served: Served,
) -> None:
    tokens = await world(served)
    posted = await call(
        served, tokens["alice"], "POST", "/api/v1/statuses",
        status="@casework Minutes", visibility="public",
    )  # fmt: skip
    copy_id = str((await copy_of(served, posted.json()["id"])).id)
    assert copy_id in [s["id"] for s in await page(served, tokens["amy"])]
    one = f"/api/v1/statuses/{copy_id}"
    for _ in range(2):
        assert (await call(served, tokens["amy"], "GET", one)).status_code == 200

    assert (await call(served, tokens["nick"], "GET", one)).status_code == 404
    assert (await call(served, None, "GET", one)).status_code == 404
    assert copy_id not in ids(await call(served, tokens["nick"], "GET", HOME))
    group = await local_account(served.context, "casework")
    for token in (tokens["nick"], None):
        path = f"/api/v1/accounts/{group.id}/statuses"
        assert copy_id not in ids(await call(served, token, "GET", path))

    await leave(served.context, "casework", (await local_account(served.context, "amy")).uri)
    assert (await call(served, tokens["amy"], "GET", one)).status_code == 404
    assert copy_id not in ids(await call(served, tokens["amy"], "GET", HOME))
