"""The notifications page and follow requests in the browser without JavaScript: who did what in
the member's language, the post's card, what the member hides left out, mark as read and clear
as forms with the CSRF token, Accept and Reject going through the same functions as the API."""

from __future__ import annotations

import re

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import User
from fedi.db import follows, interactions
from fedi.groups.groups import create_group
from fedi.relationships.muting import mute
from fedi.relationships.relationships import follow
from fedi.statuses.interactions import boost, favourite
from fedi.statuses.posting import post_status
from tests.conftest import BASE
from tests.testrig.groups import join, leave
from tests.web.member.helpers import BROWSER, csrf_of, sign_in, submit
from tests.web.member.rig import add_filter, count_statements, set_locked


@pytest.fixture
async def amal(context: Context) -> User:
    return await add_member(context, "amal", "password-amal")


@pytest.fixture
async def ben(context: Context) -> User:
    return await add_member(context, "ben", "password-ben")


async def notified(context: Context, user: User) -> list[tuple[str, int]]:
    async with context.db.read() as conn:
        return await interactions.notifications_of(conn, user.account.id)


async def test_member_pages_need_signing_in(client: httpx.AsyncClient) -> None:
    for path in ("/notifications", "/follow_requests", "/bookmarks", "/favourites"):
        answer = await client.get(path, headers=BROWSER)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/auth/sign_in?next=%2F{path[1:]}"
    for path in ("/notifications/read", "/notifications/clear", "/follow_requests/1/authorize"):
        answer = await client.post(path, data={}, headers=BROWSER | {"Origin": BASE})
        assert answer.status_code == 303 and answer.headers["location"] == "/auth/sign_in"


async def test_each_notification_says_who_did_what_with_the_post(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    post = await post_status(context, "amal", "Our statement on the river")
    await favourite(context, "ben", post.id)
    await boost(context, "ben", post.id)
    await post_status(context, "ben", "@amal agreed, well put", in_reply_to_id=post.id)
    await post_status(context, "ben", "@amal are you coming on Friday?")
    await follow(context, "ben", amal.account)
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/notifications?lang=en", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    text = page.text
    for sentence in ("favourited your post", "boosted your post", "replied to your post",
                     "mentioned you", "followed you"):  # fmt: skip
        assert f"</bdi></a> {sentence}" in text, sentence
    assert '<a href="/@ben"><bdi>ben</bdi></a>' in text
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in text
    assert "are you coming on Friday?" in text and "Our statement on the river" in text
    # Newest first: the follow came last.
    assert text.index("followed you") < text.index("favourited your post")


async def test_notifications_in_arabic_keep_names_and_handles_isolated(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await add_member(context, "latin", "password-latin")
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE accounts SET display_name = 'Zoé (team 2)' WHERE username = 'latin'"
        )
    )
    await follow(context, "latin", amal.account)
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/notifications?lang=ar", headers=BROWSER)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "<bdi>Zoé (team 2)</bdi>" in page.text
    assert '<bdi dir="ltr" class="handle">@latin@fedi.test</bdi>' in page.text
    assert "followed you" not in page.text


async def test_muted_senders_and_filtered_posts_are_left_out(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    cara = await add_member(context, "cara", "password-cara")
    await post_status(context, "ben", "@amal spoiler about the finale")
    await post_status(context, "ben", "@amal lunch at noon?")
    await post_status(context, "cara", "@amal hello from cara")
    await add_filter(context, amal.account.id, "finale", "hide", ("notifications",))
    await mute(context, amal, cara.account, notifications=True, duration=0)
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/notifications?lang=en", headers=BROWSER)
    assert "lunch at noon?" in page.text
    assert "finale" not in page.text
    assert "hello from cara" not in page.text


async def test_a_private_group_post_leaves_notifications_with_its_reader(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await add_member(context, "olga", "password-olga")
    await create_group(context, "casework", "olga", is_private=True)
    for name in ("amal", "ben"):
        await join(context, "casework", context, name)
    await post_status(context, "ben", "@casework @amal the witness list is ready")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/notifications?lang=en", headers=BROWSER)
    assert "the witness list is ready" in page.text
    await leave(context, "casework", amal.account.uri)
    page = await client.get("/notifications?lang=en", headers=BROWSER)
    assert "the witness list is ready" not in page.text


async def test_mark_as_read_and_clear_are_forms_with_the_token(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await post_status(context, "ben", "@amal first")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/notifications?lang=en", headers=BROWSER)
    assert 'class="notification unread"' in page.text
    for action in ("/notifications/read", "/notifications/clear"):
        forged = await client.post(
            action, data={"csrf_token": "x" * 40}, headers=BROWSER | {"Origin": BASE}
        )
        assert forged.status_code == 403
    assert len(await notified(context, amal)) == 1
    read = await submit(client, "/notifications/read", {}, page="/notifications")
    assert read.status_code == 303 and read.headers["location"] == "/notifications"
    page = await client.get("/notifications?lang=en", headers=BROWSER)
    assert "unread" not in page.text and "first" in page.text
    await submit(client, "/notifications/clear", {}, page="/notifications")
    assert await notified(context, amal) == []
    page = await client.get("/notifications?lang=en", headers=BROWSER)
    assert "No notifications yet." in page.text


async def test_notifications_page_on_with_an_older_link_and_htmx_fragment(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    for n in range(25):
        await post_status(context, "ben", f"@amal note number {n}")
    await sign_in(client, "amal", "password-amal")
    first = await client.get("/notifications?lang=en", headers=BROWSER)
    assert first.text.count('<article class="notification') == 20
    assert "note number 24" in first.text and "note number 4<" not in first.text
    older = re.search(r'<a href="(/notifications\?[^"]*max_id=\d+)"', first.text)
    assert older is not None
    rest = await client.get(
        older[1].replace("&amp;", "&"), headers=BROWSER | {"HX-Request": "true"}
    )
    assert rest.status_code == 200 and "<html" not in rest.text
    assert rest.text.count('<article class="notification') == 5 and "note number 0<" in rest.text


@pytest.mark.sqlite_only
async def test_twenty_notifications_cost_as_many_statements_as_two(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await sign_in(client, "amal", "password-amal")
    counter = count_statements(monkeypatch)
    counts = []
    for total in (2, 20):
        while len(await notified(context, amal)) < total:
            post = await post_status(context, "amal", "a post to like")
            await favourite(context, "ben", post.id)
            await post_status(context, "ben", "@amal and a mention", in_reply_to_id=post.id)
        with counter.counting() as seen:
            page = await client.get("/notifications", headers=BROWSER)
        assert page.status_code == 200
        counts.append(len(seen))
    # The same statements, but for the one or two that read in full the statuses and accounts
    # not kept in their current version (fedi.db.row_memo.VersionMemo): which those are
    # depends on what earlier pages read, not on the page's length.
    assert abs(counts[0] - counts[1]) <= 2 and counts[1] < 30, counts


async def test_follow_requests_are_accepted_or_rejected_with_the_token(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    cara = await add_member(context, "cara", "password-cara")
    locked = await set_locked(context, amal.account.id)
    await follow(context, "ben", locked)
    await follow(context, "cara", locked)
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/follow_requests?lang=en", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in page.text
    assert '<bdi dir="ltr" class="handle">@cara@fedi.test</bdi>' in page.text
    notes = await client.get("/notifications?lang=en", headers=BROWSER)
    assert "asked to follow you" in notes.text and 'href="/follow_requests"' in notes.text

    token = await csrf_of(client, "/follow_requests")
    forged = await client.post(
        f"/follow_requests/{ben.account.id}/authorize", data={"csrf_token": "x" * 40},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert forged.status_code == 403
    answer = await client.post(
        f"/follow_requests/{ben.account.id}/authorize", data={"csrf_token": token},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/follow_requests"
    await submit(client, f"/follow_requests/{cara.account.id}/reject", {}, page="/follow_requests")
    async with context.db.read() as conn:
        assert (await follows.get_follow(conn, ben.account.id, amal.account.id) or ())[2:3] == (
            "accepted",
        )
        assert await follows.get_follow(conn, cara.account.id, amal.account.id) is None
    again = await submit(
        client, f"/follow_requests/{cara.account.id}/authorize", {}, page="/follow_requests"
    )
    assert again.status_code == 404
    bad = await submit(client, "/follow_requests/nope/authorize", {}, page="/follow_requests")
    assert bad.status_code == 404
    page = await client.get("/follow_requests?lang=en", headers=BROWSER)
    assert "No one is waiting for an answer." in page.text
