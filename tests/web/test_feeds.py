"""RSS feeds of public posts (Mastodon's /@user.rss, /tags/NAME.rss, and a public space's
/@space.rss): public posts only, never unlisted, followers-only, direct, this-server-only or a
members-only space's; no feed for a suspended member or a members-only space."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from fedi.accounts.members import add_member, set_suspended
from fedi.context import Context
from fedi.groups.groups import create_group
from fedi.statuses.posting import post_status
from tests.testrig.group_web import group_post

MEDIA = "{http://search.yahoo.com/mrss/}"


def items(response: httpx.Response) -> list[ET.Element]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.text).find("channel")  # noqa: S314 (our own feed)
    assert channel is not None
    return channel.findall("item")


def descriptions(response: httpx.Response) -> list[str]:
    return [item.findtext("description") or "" for item in items(response)]


async def test_a_members_feed_holds_its_public_posts_only(
    client: httpx.AsyncClient, context: Context
) -> None:
    await add_member(context, "alice", "alice-password")
    first = await post_status(context, "alice", "Hello #Solidarity", spoiler_text="long read")
    await post_status(context, "alice", "quietly", visibility="unlisted")
    await post_status(context, "alice", "for followers", visibility="private")
    await post_status(context, "alice", "only here", local_only=True)
    await post_status(context, "alice", "a reply", in_reply_to_id=first.id)
    last = await post_status(context, "alice", "Second public post")
    for path in ("/@alice.rss", "/users/alice.rss"):
        feed = await client.get(path)
        found = items(feed)
        assert [i.findtext("link") for i in found] == [last.url, first.url]
        assert feed.headers["cache-control"] == "public, max-age=60"
    text = " ".join(descriptions(feed))
    for hidden in ("quietly", "for followers", "only here", "a reply"):
        assert hidden not in text
    warned = items(feed)[1]
    assert (warned.findtext("description") or "").startswith("<p>long read</p><hr />")
    assert [c.text for c in warned.findall("category")] == ["solidarity"]
    profile = await client.get("/@alice", headers={"Accept": "text/html"})
    assert '<link rel="alternate" type="application/rss+xml" href="/@alice.rss">' in profile.text
    tagged = await client.get("/tags/solidarity.rss")
    assert [i.findtext("link") for i in items(tagged)] == [first.url]
    assert (await client.get("/tags/nothing.rss")).status_code == 200
    await set_suspended(context, "alice", True)
    assert (await client.get("/@alice.rss")).status_code == 404
    assert items(await client.get("/tags/solidarity.rss")) == []
    assert (await client.get("/@nobody.rss")).status_code == 404


async def test_a_public_spaces_feed_and_none_for_a_members_only_space(
    client: httpx.AsyncClient, context: Context
) -> None:
    olga = (await add_member(context, "olga", "olga-password")).account
    forum = await create_group(context, "forum", "olga", display_name="Open forum")
    closed = await create_group(context, "casework", "olga", is_private=True)
    shared = await group_post(context, olga, forum, "Meeting notes #forum")
    await group_post(context, olga, closed, "Witness names", visibility="private")
    await context.db.write(lambda conn: conn.execute(
        "INSERT INTO statuses (id, uri, url, account_id, visibility, content, is_local,"
        " created_at, reblog_of_id) VALUES (?, ?, ?, ?, 'public', '', 1, ?, ?)",
        (shared.id + 1, f"{forum.account.uri}/statuses/{shared.id + 1}", None, forum.id,
         "2099-01-01T00:00:00.000000Z", shared.id),
    ))  # fmt: skip
    feed = await client.get("/@forum.rss")
    assert [i.findtext("link") for i in items(feed)] == [shared.url]
    assert (await client.get("/@casework.rss")).status_code == 404
    assert "Witness names" not in (await client.get("/tags/forum.rss")).text
