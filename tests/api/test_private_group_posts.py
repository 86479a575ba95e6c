"""A private group's posts through the client API: a post to the group is forced to the group
alone and shown as direct; the group's copy is in members' home timelines and nowhere a
non-member looks (timelines, search, profiles, threads, notifications, streams, favourites and
bookmarks), it cannot be boosted, and a member who leaves loses it at once (security.md V5-V7)."""

from __future__ import annotations

from typing import Any

import httpx

from fedi.core.models import Status
from fedi.db import group_posts as group_post_rows
from fedi.db import statuses
from fedi.groups.groups import create_group
from tests.api.conftest import Served
from tests.api.streams import sse
from tests.api.test_streaming import members
from tests.testrig.groups import join, leave, local_account


async def call(
    served: Served, token: str | None, method: str, path: str, **data: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=served.base) as http:
        return await http.request(method, path, headers=headers, data=data or None)


async def world(served: Served) -> dict[str, str]:
    """alice and amy are members of the private group `casework`; nick is not."""
    tokens = await members(served, "alice", "amy", "nick", "olga")
    await create_group(served.context, "casework", "olga", is_private=True)
    for name in ("alice", "amy"):
        await join(served.context, "casework", served.context, name)
    return tokens


async def copy_of(served: Served, submission_id: str) -> Status:
    async with served.context.db.read() as conn:
        submission = await statuses.get_by_id(conn, int(submission_id))
        assert submission is not None
        copy = await group_post_rows.copy_of_submission(conn, submission.uri)
    assert copy is not None
    return copy


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def test_a_post_to_a_private_group_is_direct_to_the_group(served: Served) -> None:
    tokens = await world(served)
    answer = await call(
        served, tokens["alice"], "POST", "/api/v1/statuses",
        status="@casework Case notes #evidence @nick", visibility="public",
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    posted = answer.json()
    assert posted["visibility"] == "direct"
    assert [m["acct"] for m in posted["mentions"]] == ["casework"]
    copy = await copy_of(served, posted["id"])
    assert copy.visibility == "private" and "nick" in copy.content
    assert f"{served.base}/@nick" not in copy.content  # a non-member is not linked
    # Nick was named in the text but is not notified, by the post or by its copy.
    notes = await call(served, tokens["nick"], "GET", "/api/v1/notifications")
    assert notes.json() == []
    # Polls, replies outside the group and non-members are refused with a clear 422.
    refused: list[tuple[str, dict[str, Any], str]] = [
        (tokens["alice"], {"status": "@casework vote", "poll[options][]": ["a", "b"],
                           "poll[expires_in]": "600"}, "polls"),
        (tokens["nick"], {"status": "@casework let me in"}, "only members"),
    ]  # fmt: skip
    for token, data, why in refused:
        answer = await call(served, token, "POST", "/api/v1/statuses", **data)
        assert answer.status_code == 422 and why in answer.json()["error"]
    public = (await call(served, tokens["nick"], "POST", "/api/v1/statuses", status="Open")).json()
    outside = await call(
        served, tokens["alice"], "POST", "/api/v1/statuses", status="@casework see this",
        in_reply_to_id=public["id"],
    )  # fmt: skip
    assert outside.status_code == 422 and "only reply to posts of" in outside.json()["error"]
    # The owner moderates without being a member, and may post too.
    notice = await call(
        served, tokens["olga"], "POST", "/api/v1/statuses", status="@casework Rules"
    )
    assert notice.status_code == 200 and (await copy_of(served, notice.json()["id"]))
    # V7: the public post counts no private reply.
    shown = await call(served, tokens["nick"], "GET", f"/api/v1/statuses/{public['id']}")
    assert shown.json()["replies_count"] == 0


async def test_the_groups_copy_is_for_members_only(served: Served) -> None:
    tokens = await world(served)
    posted = (
        await call(
            served,
            tokens["alice"],
            "POST",
            "/api/v1/statuses",
            status="@casework Hearing moved #evidence @amy",
            visibility="public",
        )
    ).json()
    copy = await copy_of(served, posted["id"])
    copy_id = str(copy.id)
    group = await local_account(served.context, "casework")
    alice = await local_account(served.context, "alice")

    assert copy_id in ids(await call(served, tokens["amy"], "GET", "/api/v1/timelines/home"))
    amy_notes = (await call(served, tokens["amy"], "GET", "/api/v1/notifications")).json()
    assert [(n["type"], n["status"]["id"]) for n in amy_notes] == [("mention", copy_id)]
    shown = await call(served, tokens["amy"], "GET", f"/api/v1/statuses/{copy_id}")
    assert shown.status_code == 200 and shown.json()["visibility"] == "private"

    for token in (tokens["nick"], None):
        for path in (
            "/api/v1/timelines/public", "/api/v1/timelines/public?local=true",
            "/api/v1/timelines/tag/evidence", f"/api/v1/accounts/{group.id}/statuses",
            f"/api/v1/accounts/{alice.id}/statuses",
        ):  # fmt: skip
            assert copy_id not in ids(await call(served, token, "GET", path)), path
        for path in ("", "/context", "/favourited_by", "/reblogged_by"):
            missing = await call(served, token, "GET", f"/api/v1/statuses/1{path}")
            hidden = await call(served, token, "GET", f"/api/v1/statuses/{copy_id}{path}")
            assert hidden.status_code == missing.status_code == 404
            assert hidden.json() == missing.json()
    nick = tokens["nick"]
    assert copy_id not in ids(await call(served, nick, "GET", "/api/v1/timelines/home"))
    assert (await call(served, nick, "GET", "/api/v1/notifications")).json() == []
    found = await call(served, nick, "GET", "/api/v2/search", q=copy.uri, resolve="true")
    assert found.json()["statuses"] == []
    for action in ("favourite", "bookmark", "reblog"):
        refused = await call(served, nick, "POST", f"/api/v1/statuses/{copy_id}/{action}")
        assert refused.status_code == 404

    # A member cannot boost it either (Mastodon announceable?, security.md V5).
    boost = await call(served, tokens["amy"], "POST", f"/api/v1/statuses/{copy_id}/reblog")
    assert boost.status_code == 422
    for action in ("favourite", "bookmark"):
        kept = await call(served, tokens["amy"], "POST", f"/api/v1/statuses/{copy_id}/{action}")
        assert kept.status_code == 200
    assert ids(await call(served, tokens["amy"], "GET", "/api/v1/favourites")) == [copy_id]

    # Amy leaves: the copy is gone from every list of hers at once.
    await leave(served.context, "casework", (await local_account(served.context, "amy")).uri)
    amy = tokens["amy"]
    assert (await call(served, amy, "GET", f"/api/v1/statuses/{copy_id}")).status_code == 404
    assert copy_id not in ids(await call(served, amy, "GET", "/api/v1/timelines/home"))
    assert ids(await call(served, amy, "GET", "/api/v1/favourites")) == []
    assert ids(await call(served, amy, "GET", "/api/v1/bookmarks")) == []
    assert (await call(served, amy, "GET", "/api/v1/notifications")).json() == []


async def test_streams_carry_the_copy_to_members_only(served: Served) -> None:
    tokens = await world(served)
    async with (
        sse(served.base, "/api/v1/streaming/user", tokens["nick"]) as nick_home,
        sse(served.base, "/api/v1/streaming/public", tokens["nick"]) as public,
        sse(served.base, "/api/v1/streaming/user", tokens["amy"]) as amy_home,
    ):
        posted = await call(
            served, tokens["alice"], "POST", "/api/v1/statuses", status="@casework Secret"
        )
        copy = await copy_of(served, posted.json()["id"])
        event = await amy_home.next()
        assert (event.event, event.json()["id"]) == ("update", str(copy.id))
        # Then a public post: the first thing the non-member's streams carry.
        marker = (
            await call(served, tokens["olga"], "POST", "/api/v1/statuses", status="Hi")
        ).json()
        for stream in (public,):
            event = await stream.next()
            assert (event.event, event.json()["id"]) == ("update", marker["id"])
        await call(served, tokens["nick"], "POST", "/api/v1/statuses", status="mine")
        event = await nick_home.next()
        assert event.json()["account"]["acct"] == "nick"
