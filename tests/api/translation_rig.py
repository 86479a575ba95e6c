"""An instance served over HTTP on loopback with a translation engine configured, its members
and their posts in every visibility, for the translation tests."""

from __future__ import annotations

from typing import Any

import httpx

from fedi.accounts.members import add_member
from fedi.db import group_posts, statuses
from fedi.groups.groups import create_group
from fedi.statuses.polls import PollRequest
from fedi.statuses.posting import post_status
from tests.api.conftest import Served
from tests.api.conftest import serve as serve
from tests.api.streams import password_token
from tests.api.test_streaming import follows
from tests.testrig.groups import join


async def tokens(served: Served, *names: str) -> dict[str, str]:
    for name in names:
        if name != "alice":
            await add_member(served.context, name, f"{name}-password")
    return {name: await password_token(served.base, username=name) for name in names}


async def posts(served: Served) -> dict[str, int]:
    """Ben's posts in English, in every visibility; alice follows him, is mentioned in the
    direct one and is a member of olga's private group `casework`, as ben is; nick is neither.
    The members (tokens()) exist already."""
    context = served.context
    await follows(served, "alice", "ben")
    await create_group(context, "casework", "olga", is_private=True)
    for name in ("alice", "ben"):
        await join(context, "casework", context, name)
    poll = PollRequest(options=("Yes", "No"), expires_in=3600)
    made = {
        "public": await post_status(context, "ben", "Good morning friends", "public",
                                    "content warning", "en", poll=poll),
        "unlisted": await post_status(context, "ben", "Meeting today", "unlisted", language="en"),
        "private": await post_status(context, "ben", "Good morning friends", "private",
                                     language="en"),
        "direct": await post_status(context, "ben", "@alice Good morning", "direct",
                                    language="en"),
        "local_only": await post_status(context, "ben", "Good morning", "public",
                                        language="en", local_only=True),
        "space": await post_status(context, "ben", "@casework Meeting today", language="en"),
        "french": await post_status(context, "ben", "Bonjour", "public", language="fr"),
    }  # fmt: skip
    ids = {name: status.id for name, status in made.items()}
    async with context.db.read() as conn:
        submission = await statuses.get_by_id(conn, ids["space"])
        assert submission is not None
        copy = await group_posts.copy_of_submission(conn, submission.uri)
    assert copy is not None and copy.visibility == "private"
    ids["space"] = copy.id  # the space's own post, which its members read
    return ids


async def translate(
    served: Served, token: str | None, status_id: int, headers: dict[str, str] | None = None,
    **data: Any,
) -> httpx.Response:  # fmt: skip
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=served.base) as http:
        return await http.post(
            f"/api/v1/statuses/{status_id}/translate", data=data or None,
            headers=sent | (headers or {}),
        )  # fmt: skip
