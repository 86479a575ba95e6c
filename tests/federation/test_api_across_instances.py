"""The daily experience across two instances, through the client API only (Mastodon.py): a
member of A finds a member of B by handle, follows them, sees their posts at home, replies and
favourites; B's member is notified."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from mastodon import Mastodon
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response

from fedi.accounts.members import add_member
from tests.testrig.instances import Instance, federation, settle

SCOPES = ["read", "write", "follow"]


class LoopbackNames(HTTPAdapter):
    """Reaches the test instances' names (alice.test:<port>) on 127.0.0.1, keeping the Host."""

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(request.url or "")
        if parts.hostname and parts.hostname.endswith(".test"):
            request.headers["Host"] = parts.netloc
            request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))
        return super().send(request, *args, **kwargs)


@contextmanager
def app_for(instance: Instance, username: str) -> Iterator[Mastodon]:
    with requests.Session() as session:
        session.mount("http://", LoopbackNames())
        client_id, secret = Mastodon.create_app(
            "tests", api_base_url=instance.base, scopes=SCOPES, session=session
        )
        client = Mastodon(
            client_id=client_id, client_secret=secret, api_base_url=instance.base, session=session
        )
        client.log_in(username, f"{username}-password", scopes=SCOPES, allow_http=True)
        yield client


async def test_follow_read_reply_and_favourite_across_instances(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")

        def follow_bob() -> Any:
            with app_for(a, "alice") as alice:
                found = alice.search_v2(b.handle("bob"), resolve=True)["accounts"]
                assert [x["acct"] for x in found] == [f"bob@{b.domain}"]
                return alice.account_follow(found[0]["id"])

        relationship = await asyncio.to_thread(follow_bob)
        assert relationship["requested"] is True
        await settle(a, b)

        def bob_posts() -> Any:
            with app_for(b, "bob") as bob:
                return bob.status_post("News from bob's server")

        posted = await asyncio.to_thread(bob_posts)
        await settle(a, b)

        def alice_reads_and_answers() -> Any:
            with app_for(a, "alice") as alice:
                assert alice.account_relationships([alice.account_lookup(b.handle("bob"))["id"]])[
                    0
                ]["following"]
                home = alice.timeline_home()
                assert [s["uri"] for s in home] == [posted["uri"]]
                alice.status_favourite(home[0]["id"])
                return alice.status_reply(home[0], "Thanks for the news")

        reply = await asyncio.to_thread(alice_reads_and_answers)
        assert reply["in_reply_to_id"] is not None
        await settle(a, b)

        def bob_is_notified() -> tuple[Any, Any]:
            with app_for(b, "bob") as bob:
                return bob.notifications(), bob.status_context(posted["id"])

        notes, thread = await asyncio.to_thread(bob_is_notified)
        kinds = sorted(n["type"] for n in notes)
        assert kinds == ["favourite", "follow", "mention"]
        assert all(n["account"]["acct"] == f"alice@{a.domain}" for n in notes)
        assert [s["content"] for s in thread["descendants"]] == [reply["content"]]
