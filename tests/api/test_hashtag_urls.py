"""Hashtag addresses are percent-encoded wherever they are written (the Status entity's tags,
the post's HTML, the ActivityPub Hashtag, the tag entity), as Mastodon writes them: an app
that follows `#café` or an Arabic hashtag reaches its page."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from fedi.db import accounts, statuses
from fedi.federation.serialize import note_document
from tests.api.clients import logged_in
from tests.api.conftest import Served


async def test_non_ascii_hashtags_are_linked_percent_encoded(served: Served) -> None:
    def run() -> dict[str, Any]:
        with logged_in(served.base) as alice:
            post = alice.status_post("Notes from the #café meeting #تضامن")
            return {"post": post}

    post = (await asyncio.to_thread(run))["post"]
    cafe, solidarity = (
        f"{served.base}/tags/caf%C3%A9",
        f"{served.base}/tags/%D8%AA%D8%B6%D8%A7%D9%85%D9%86",
    )
    assert sorted(t["url"] for t in post["tags"]) == sorted([cafe, solidarity])
    assert f'href="{cafe}"' in post["content"] and f'href="{solidarity}"' in post["content"]
    async with served.context.db.read() as conn:
        status = await statuses.get_by_id(conn, int(post["id"]))
        author = await accounts.get_local_actor(conn, "alice")
    assert status is not None and author is not None
    note = await note_document(served.context, status, author)
    assert sorted(t["href"] for t in note["tag"] if t["type"] == "Hashtag") == sorted(
        [cafe, solidarity]
    )
    async with httpx.AsyncClient(base_url=served.base) as http:
        tag = await http.get("/api/v1/tags/caf%C3%A9")
    assert tag.status_code == 200 and tag.json()["url"] == cafe
