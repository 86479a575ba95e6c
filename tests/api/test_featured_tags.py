"""Featured hashtags through Mastodon.py, as Mastodon's: a member features hashtags of their
posts (at most ten), each with how many of their public and unlisted posts carry it and the day
of the latest; anyone sees an account's featured hashtags; suggestions are the member's recent
hashtags not featured yet."""

from __future__ import annotations

import asyncio
from typing import Any

from mastodon import MastodonAPIError

from tests.api.clients import logged_in
from tests.api.conftest import Served


async def test_featured_hashtags_round_trip(served: Served) -> None:
    def run() -> dict[str, Any]:
        with logged_in(served.base) as alice:
            alice.status_post("Hearing today #Justice #Climate")
            alice.status_post("Still at it #justice")
            alice.status_post("Only for followers #justice", visibility="private")
            suggested = alice.featured_tag_suggestions()
            featured = alice.featured_tag_create("Justice")
            again = alice.featured_tag_create("justice")
            listed = alice.featured_tags()
            me = alice.me()
            public = alice.account_featured_tags(me["id"])
            after = alice.featured_tag_suggestions()
            refused = []
            for name in ("not a tag!", ""):
                try:
                    alice.featured_tag_create(name)
                except MastodonAPIError as exc:
                    refused.append(exc.args[1])
            for n in range(9):
                alice.featured_tag_create(f"topic{n}")
            try:
                alice.featured_tag_create("eleventh")
            except MastodonAPIError as exc:
                refused.append(exc.args[1])
            alice.featured_tag_delete(featured["id"])
            gone = [t["name"] for t in alice.featured_tags()]
        return locals()

    seen = await asyncio.to_thread(run)
    assert sorted(t["name"] for t in seen["suggested"]) == ["climate", "justice"]
    featured = seen["featured"]
    assert (
        featured["name"] == "justice" and featured["statuses_count"] == "2"
    )  # a string, as Mastodon sends it
    assert featured["url"] == f"{served.base}/tags/justice"
    assert featured["last_status_at"] is not None
    assert seen["again"]["id"] == featured["id"]
    assert [t["id"] for t in seen["listed"]] == [featured["id"]]
    assert [t["name"] for t in seen["public"]] == ["justice"]
    assert [t["name"] for t in seen["after"]] == ["climate"]
    assert seen["refused"] == [422, 422, 422]
    assert "justice" not in seen["gone"] and len(seen["gone"]) == 9
