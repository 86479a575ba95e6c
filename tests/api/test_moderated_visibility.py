"""What moderators took out of view, through the client API: a suspended account's posts and
boosts of them appear nowhere (security.md M7, CVE-2026-23961); a limited (silenced) account is
seen only by its followers; a domain whose media is rejected shows default pictures and
attachments as links."""

from __future__ import annotations

from typing import Any

import httpx

from fedi.core.models import RemoteActor
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, interactions
from fedi.db.domain_rules import BlockFields
from fedi.federation.remote_accounts import store_actor
from fedi.moderation.domain_rules import block_domain, unblock_domain
from tests.api.conftest import Served
from tests.api.people import accepted_follow, account_id_of, remote_account, remote_post
from tests.api.tokens import bearer


def ids(body: Any) -> list[str]:
    return [s["id"] for s in body]


async def test_a_suspended_accounts_posts_and_boosts_of_them_are_shown_nowhere(
    served: Served,
) -> None:
    context = served.context
    alice = await account_id_of(context, "alice")
    spam = await remote_account(context, "spam", "bad.example")
    friend = await remote_account(context, "friend", "good.example")
    await accepted_follow(context, alice, friend)
    await accepted_follow(context, alice, spam)
    old = await remote_post(context, spam, "old post", tags=("topic",))
    boost = await remote_post(context, friend, "", reblog_of_id=old)
    reply = await remote_post(context, friend, "a reply", in_reply_to_id=old,
                              in_reply_to_account_id=spam)  # fmt: skip
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read")
        home = (await http.get("/api/v1/timelines/home", headers=auth)).json()
        assert str(old) in ids(home) and str(boost) in ids(home)

        block = await block_domain(context, None, "bad.example", BlockFields(severity="suspend"))
        home = (await http.get("/api/v1/timelines/home", headers=auth)).json()
        assert str(old) not in ids(home) and str(boost) not in ids(home)
        assert str(reply) in ids(home)
        for path in (f"/api/v1/statuses/{old}", f"/api/v1/statuses/{boost}"):
            for headers in (auth, {}):
                response = await http.get(path, headers=headers)
                assert response.status_code == 404, path
                assert response.json() == {"error": "Record not found"}
        for query in ("", "?local=false"):
            for headers in (auth, {}):
                public = await http.get(f"/api/v1/timelines/public{query}", headers=headers)
                assert str(old) not in ids(public.json())
        tagged = await http.get("/api/v1/timelines/tag/topic", headers=auth)
        assert ids(tagged.json()) == []
        statuses = await http.get(f"/api/v1/accounts/{spam}/statuses", headers=auth)
        assert statuses.json() == []
        thread = (await http.get(f"/api/v1/statuses/{reply}/context", headers=auth)).json()
        assert thread["ancestors"] == []
        many = await http.get(f"/api/v1/statuses?id[]={old}&id[]={reply}", headers=auth)
        assert ids(many.json()) == [str(reply)]

        # Lifting the block brings back what it hid (the follow it ended stays ended).
        await unblock_domain(context, None, block)
        home = (await http.get("/api/v1/timelines/home", headers=auth)).json()
        assert str(boost) in ids(home) and str(old) not in ids(home)
        assert (await http.get(f"/api/v1/statuses/{old}")).status_code == 200


async def test_a_limited_account_is_seen_only_by_its_followers(served: Served) -> None:
    context = served.context
    alice = await account_id_of(context, "alice")
    await block_domain(context, None, "limited.example", BlockFields(severity="silence"))
    stored = await store_actor(
        context,
        RemoteActor(
            uri="https://limited.example/users/new", actor_type="Person", username="new",
            domain="limited.example", display_name="", note="", fields=(), url=None,
            inbox_uri="https://limited.example/users/new/inbox", shared_inbox_uri=None,
            outbox_uri=None, followers_uri=None, following_uri=None, featured_uri=None,
            public_key_id="https://limited.example/users/new#k", public_key_pem="unused",
            avatar_remote_url=None, header_remote_url=None, is_locked=False, is_bot=False,
            is_discoverable=True, also_known_as=(), moved_to_uri=None,
        ),
        accept_new_key=True,
    )  # fmt: skip
    assert stored.is_silenced  # first stored while its domain is limited: born limited
    post = await remote_post(context, stored.id, "limited words", tags=("topic",))
    mention = await remote_post(context, stored.id, "@alice hi", visibility="direct")
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: interactions.notify(conn, [alice], "mention", stored.id, mention, now)
    )
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read")

        async def seen() -> tuple[bool, bool, bool, bool]:
            public = (await http.get("/api/v1/timelines/public", headers=auth)).json()
            tagged = (await http.get("/api/v1/timelines/tag/topic", headers=auth)).json()
            home = (await http.get("/api/v1/timelines/home", headers=auth)).json()
            notes = (await http.get("/api/v1/notifications", headers=auth)).json()
            return (str(post) in ids(public), str(post) in ids(tagged),
                    str(post) in ids(home), len(notes) == 1)  # fmt: skip

        assert await seen() == (False, False, False, False)
        anonymous = (await http.get("/api/v1/timelines/public")).json()
        assert str(post) not in ids(anonymous)
        # Still reachable by its address, as on Mastodon.
        assert (await http.get(f"/api/v1/statuses/{post}", headers=auth)).status_code == 200

        await accepted_follow(context, alice, stored.id)
        # A follower sees it at home and gets its notifications; public timelines stay clean.
        assert await seen() == (False, False, True, True)


async def test_rejected_media_shows_default_pictures_and_attachments_as_links(
    served: Served,
) -> None:
    context = served.context
    artist = await remote_account(context, "artist", "pictures.example")
    async with context.db.read() as conn:
        account = await accounts.get_by_id(conn, artist)
    assert account is not None
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE accounts SET avatar_remote_url = ?, header_remote_url = ? WHERE id = ?",
            ("https://pictures.example/a.png", "https://pictures.example/h.png", artist),
        )
    )
    post = await remote_post(context, artist, "look", media_description="a picture")
    async with httpx.AsyncClient(base_url=served.base) as http:
        before = (await http.get(f"/api/v1/statuses/{post}")).json()
        assert before["account"]["avatar"] == "https://pictures.example/a.png"
        assert before["media_attachments"][0]["type"] == "image"

        await block_domain(
            context, None, "pictures.example", BlockFields(severity="noop", reject_media=True)
        )
        after = (await http.get(f"/api/v1/statuses/{post}")).json()
        assert after["account"]["avatar"].endswith(".png")
        assert "pictures.example" not in after["account"]["avatar"]
        assert "pictures.example" not in after["account"]["header"]
        media = after["media_attachments"][0]
        assert (media["type"], media["url"], media["preview_url"]) == ("unknown", None, None)
        assert media["remote_url"] == "https://remote.example/a.png"
        profile = (await http.get(f"/api/v1/accounts/{artist}")).json()
        assert "pictures.example" not in profile["avatar"]
