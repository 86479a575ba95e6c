"""A post's thread for a signed-in member (ancestors, the post, replies, each with its actions,
and a reply box), remote authors' threads at /@user@domain/id, visitors' public page kept, and
bookmarks and favourites as feeds; what the member may not see is a 404 or left out."""

from __future__ import annotations

import re

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import User
from fedi.groups.groups import create_group
from fedi.relationships.muting import mute
from fedi.relationships.relationships import follow, unfollow
from fedi.statuses.interactions import favourite
from fedi.statuses.posting import post_status
from tests.api.people import remote_account, remote_post
from tests.testrig.groups import join, leave
from tests.web.member.helpers import BROWSER, sign_in, submit
from tests.web.member.rig import add_filter, count_statements


@pytest.fixture
async def amal(context: Context) -> User:
    return await add_member(context, "amal", "password-amal")


@pytest.fixture
async def ben(context: Context) -> User:
    return await add_member(context, "ben", "password-ben")


async def test_a_member_sees_the_whole_thread_with_actions_and_a_reply_box(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    root = await post_status(context, "ben", "Where do we meet?")
    middle = await post_status(context, "amal", "@ben at the library", in_reply_to_id=root.id)
    await post_status(context, "ben", "@amal see you there", in_reply_to_id=middle.id)
    await sign_in(client, "amal", "password-amal")
    page = await client.get(f"/@amal/{middle.id}?lang=en", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    text = page.text
    assert text.index("Where do we meet?") < text.index("at the library")
    assert text.index("at the library") < text.index("see you there")
    assert text.count('<article class="post card"') == 3
    assert f'name="in_reply_to_id" value="{middle.id}"' in text
    assert f'action="/statuses/{root.id}/favourite"' in text
    assert f'href="/statuses/{middle.id}/edit"' in text  # her own post
    # Replying from the thread comes back to it.
    answer = await submit(
        client, "/statuses",
        {"status": "@ben bring the map", "in_reply_to_id": str(middle.id),
         "next": f"/@amal/{middle.id}"},
        page=f"/@amal/{middle.id}",
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == f"/@amal/{middle.id}"
    again = await client.get(f"/@amal/{middle.id}", headers=BROWSER)
    assert "bring the map" in again.text


async def test_visitors_keep_the_public_page_and_servers_the_document(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    post = await post_status(context, "amal", "Open letter")
    page = await client.get(f"/@amal/{post.id}", headers=BROWSER)
    assert page.status_code == 200 and "Open letter" in page.text
    assert 'name="in_reply_to_id"' not in page.text
    document = await client.get(
        f"/@amal/{post.id}", headers={"Accept": "application/activity+json"}
    )
    assert document.json()["type"] == "Note"
    remote = await remote_account(context, "rita", "remote.example")
    theirs = await remote_post(context, remote, "From afar")
    assert (await client.get(f"/@rita@remote.example/{theirs}", headers=BROWSER)).status_code == 404


async def test_a_remote_authors_thread_is_at_their_full_handle(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    remote = await remote_account(context, "rita", "remote.example")
    theirs = await remote_post(context, remote, "From afar")
    await sign_in(client, "amal", "password-amal")
    page = await client.get(f"/@rita@remote.example/{theirs}?lang=ar", headers=BROWSER)
    assert page.status_code == 200 and "From afar" in page.text
    assert '<bdi dir="ltr" class="handle">@rita@remote.example</bdi>' in page.text
    assert f'href="/@rita@remote.example/{theirs}"' in page.text
    for wrong in (f"/@amal/{theirs}", f"/@rita@other.example/{theirs}", "/@rita@remote.example/x",
                  "/@rita@remote.example/99999999999"):  # fmt: skip
        answer = await client.get(wrong, headers=BROWSER)
        assert answer.status_code == 404, wrong


async def test_private_posts_are_404_and_left_out_of_threads(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    root = await post_status(context, "ben", "Public question")
    secret = await post_status(
        context, "ben", "Followers-only answer", visibility="private", in_reply_to_id=root.id
    )
    await sign_in(client, "amal", "password-amal")
    assert (await client.get(f"/@ben/{secret.id}", headers=BROWSER)).status_code == 404
    page = await client.get(f"/@ben/{root.id}", headers=BROWSER)
    assert page.status_code == 200 and "Followers-only answer" not in page.text
    await follow(context, "amal", ben.account)
    page = await client.get(f"/@ben/{root.id}", headers=BROWSER)
    assert "Followers-only answer" in page.text
    assert (await client.get(f"/@ben/{secret.id}", headers=BROWSER)).status_code == 200


async def test_a_private_groups_post_is_for_its_members_only(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await add_member(context, "olga", "password-olga")
    group = await create_group(context, "casework", "olga", is_private=True)
    await join(context, "casework", context, "ben")
    await join(context, "casework", context, "amal")
    await post_status(context, "ben", "@casework names of the witnesses")
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT id FROM statuses WHERE account_id = ? ORDER BY id DESC", (group.id,)
        )
        row = await cursor.fetchone()
    assert row is not None
    copy_id = row[0]
    await sign_in(client, "amal", "password-amal")
    # The group's post keeps the group's page (its rules for members are the group's).
    page = await client.get(f"/@casework/{copy_id}", headers=BROWSER)
    assert page.status_code == 200 and "names of the witnesses" in page.text
    await submit(client, f"/statuses/{copy_id}/bookmark", {})
    assert "names of the witnesses" in (await client.get("/bookmarks", headers=BROWSER)).text
    await leave(context, "casework", amal.account.uri)
    answer = await client.get(f"/@casework/{copy_id}", headers=BROWSER)
    assert answer.status_code == 404 and "witnesses" not in answer.text
    assert "witnesses" not in (await client.get("/bookmarks", headers=BROWSER)).text


async def test_muted_and_filtered_replies_are_left_out_of_the_thread(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    cara = await add_member(context, "cara", "password-cara")
    root = await post_status(context, "amal", "Minutes of the meeting")
    await post_status(context, "ben", "@amal thanks for the minutes", in_reply_to_id=root.id)
    await post_status(context, "ben", "@amal the budget is wrong", in_reply_to_id=root.id)
    await post_status(context, "cara", "@amal noise from cara", in_reply_to_id=root.id)
    await add_filter(context, amal.account.id, "budget", "hide", ("thread",))
    await add_filter(context, amal.account.id, "thanks", "warn", ("thread",))
    await mute(context, amal, cara.account, notifications=False, duration=0)
    await sign_in(client, "amal", "password-amal")
    page = await client.get(f"/@amal/{root.id}?lang=en", headers=BROWSER)
    assert "thanks for the minutes" in page.text and "Filtered: about thanks" in page.text
    assert "budget" not in page.text.replace("about budget", "")
    assert "noise from cara" not in page.text


async def test_bookmarks_and_favourites_are_feeds_of_what_the_member_kept(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    kept = await post_status(context, "ben", "Worth keeping")
    liked = await post_status(context, "ben", "Worth a star")
    secret = await post_status(context, "ben", "Only for followers", visibility="private")
    await follow(context, "amal", ben.account)
    await sign_in(client, "amal", "password-amal")
    await submit(client, f"/statuses/{kept.id}/bookmark", {})
    await submit(client, f"/statuses/{secret.id}/bookmark", {})
    await favourite(context, "amal", liked.id)
    marks = await client.get("/bookmarks?lang=en", headers=BROWSER)
    assert marks.status_code == 200 and marks.headers["cache-control"] == "private, no-store"
    assert "Worth keeping" in marks.text and "Only for followers" in marks.text
    assert "Worth a star" not in marks.text
    stars = await client.get("/favourites?lang=ar", headers=BROWSER)
    assert "Worth a star" in stars.text and "Worth keeping" not in stars.text
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in stars.text
    await unfollow(context, "amal", ben.account)
    marks = await client.get("/bookmarks", headers=BROWSER)
    assert "Worth keeping" in marks.text and "Only for followers" not in marks.text
    await submit(client, f"/statuses/{liked.id}/unfavourite", {})
    empty = await client.get("/favourites?lang=en", headers=BROWSER)
    assert "You have not favourited any post yet." in empty.text


async def test_bookmarks_page_on_by_when_they_were_saved(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    posts = [await post_status(context, "ben", f"Saved item {n}") for n in range(22)]
    await sign_in(client, "amal", "password-amal")
    for post in reversed(posts):  # the oldest post is bookmarked last: it comes first
        await submit(client, f"/statuses/{post.id}/bookmark", {})
    first = await client.get("/bookmarks", headers=BROWSER)
    assert first.text.index("Saved item 0<") < first.text.index("Saved item 1<")
    assert "Saved item 21<" not in first.text
    older = re.search(r'<a href="(/bookmarks\?max_id=\d+)"', first.text)
    assert older is not None
    rest = await client.get(older[1], headers=BROWSER)
    assert "Saved item 21<" in rest.text and "Saved item 20<" in rest.text


@pytest.mark.sqlite_only
async def test_a_thread_of_twenty_posts_costs_as_many_statements_as_one_of_three(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    root = await post_status(context, "amal", "Thread start")
    await sign_in(client, "amal", "password-amal")
    counter = count_statements(monkeypatch)
    counts = []
    parent = root
    made = 1
    for size in (3, 20):
        while made < size:
            author = "ben" if made % 2 else "amal"
            parent = await post_status(context, author, f"reply {made}", in_reply_to_id=parent.id)
            made += 1
        with counter.counting() as seen:
            page = await client.get(f"/@amal/{root.id}", headers=BROWSER)
        assert page.status_code == 200 and page.text.count('<article class="post card"') == size
        counts.append(len(seen))
    # Beyond the one or two statements reading rows not kept in their version (which depend on
    # what earlier pages read), the same statements.
    assert abs(counts[0] - counts[1]) <= 2 and counts[1] < 40, counts


async def test_visitors_see_a_local_posts_public_replies_and_nothing_else(
    client: httpx.AsyncClient, context: Context
) -> None:
    await add_member(context, "lina", "password-lina")
    await add_member(context, "omar", "password-omar")
    post = await post_status(context, "lina", "Open call for volunteers")
    await post_status(context, "omar", "@lina@fedi.test count me in", in_reply_to_id=post.id)
    await post_status(context, "omar", "@lina@fedi.test privately: my number",
                      visibility="direct", in_reply_to_id=post.id)  # fmt: skip
    await post_status(context, "omar", "@lina@fedi.test members only aside",
                      in_reply_to_id=post.id, local_only=True)  # fmt: skip
    page = await client.get(f"/@lina/{post.id}?lang=ar", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "count me in" in page.text
    assert "my number" not in page.text and "members only aside" not in page.text
    assert '<bdi dir="ltr">@omar@fedi.test</bdi>' in page.text
