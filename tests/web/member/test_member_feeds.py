"""The member's feeds and posts in the browser without JavaScript: home and the local feed,
composing (text, content warning, visibility, attachments, poll, reply), favourite, boost,
bookmark, vote, edit and delete, each a form with the CSRF token; pages kept out of caches."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import Status, User
from fedi.db import statuses
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.web.member.helpers import BROWSER, csrf_of, sign_in, submit


@pytest.fixture
async def amal(context: Context) -> User:
    return await add_member(context, "amal", "password-amal")


@pytest.fixture
async def ben(context: Context) -> User:
    return await add_member(context, "ben", "password-ben")


async def posts_of(context: Context, user: User) -> list[Status]:
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT id FROM statuses WHERE account_id = ? ORDER BY id DESC", (user.account.id,)
        )
        ids = [row[0] for row in await cursor.fetchall()]
        found = await statuses.get_many(conn, ids)
    return [found[i] for i in ids]


async def newest_of(context: Context, user: User) -> Status:
    found = await posts_of(context, user)
    assert found, "no post"
    return found[0]


async def test_member_pages_need_signing_in(client: httpx.AsyncClient) -> None:
    for path in ("/home", "/local", "/statuses/1/reply", "/statuses/1/edit"):
        answer = await client.get(path, headers=BROWSER)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/auth/sign_in?next=")


async def test_front_page_leads_a_member_home_and_home_shows_who_they_follow(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await follow(context, "amal", ben.account)
    await post_status(context, "ben", "Field report from the north office")
    await post_status(context, "ben", "Followers only note", visibility="private")
    await sign_in(client, "amal", "password-amal")
    front = await client.get("/?lang=fr", headers=BROWSER)
    assert front.status_code == 302 and front.headers["location"] == "/home?lang=fr"
    home = await client.get("/home?lang=en", headers=BROWSER)
    assert home.status_code == 200
    assert home.headers["cache-control"] == "private, no-store"
    assert "Field report from the north office" in home.text
    assert "Followers only note" in home.text
    assert "Create an account" not in home.text
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in home.text


async def test_compose_publishes_with_warning_visibility_and_language(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    answer = await submit(
        client, "/statuses",
        {"status": "Hearing moved to Tuesday", "spoiler_text": "court", "visibility": "unlisted",
         "language": "fr", "next": "/local"},
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/local"
    post = await newest_of(context, amal)
    assert "Hearing moved to Tuesday" in post.content
    assert (post.spoiler_text, post.visibility, post.language) == ("court", "unlisted", "fr")


async def test_compose_without_csrf_or_from_elsewhere_is_refused(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    await csrf_of(client, "/home")
    forged = await client.post(
        "/statuses", data={"status": "forged", "csrf_token": "x" * 40}, headers=BROWSER
    )
    assert forged.status_code == 403
    elsewhere = await submit(
        client, "/statuses", {"status": "x"}, headers={"Origin": "https://evil.example.org"}
    )
    assert elsewhere.status_code == 403
    assert await posts_of(context, amal) == []


async def test_an_empty_post_comes_back_with_the_reason(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    answer = await submit(client, "/statuses?lang=en", {"status": "   ", "spoiler_text": ""})
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text and "could not be published" in answer.text


async def test_attachments_with_descriptions_and_a_poll(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(image, "PNG")
    answer = await submit(
        client, "/statuses", {"status": "Photo of the site", "description_1": "A red square"},
        files={"file_1": ("site.png", image.getvalue(), "image/png")},
    )  # fmt: skip
    assert answer.status_code == 303
    post = await newest_of(context, amal)
    async with context.db.read() as conn:
        details = await statuses.details(conn, post.id)
    assert [a.description for a in details.attachments] == ["A red square"]
    home = await client.get("/home", headers=BROWSER)
    assert 'alt="A red square"' in home.text

    await submit(client, "/statuses", {"status": "Next meeting?", "poll_1": "Monday",
                                       "poll_2": "Friday", "poll_expires_in": "3600"})  # fmt: skip
    polled = await newest_of(context, amal)
    async with context.db.read() as conn:
        poll = (await statuses.details(conn, polled.id)).poll
    assert poll is not None and [o.title for o in poll.options] == ["Monday", "Friday"]

    bad = await submit(
        client, "/statuses?lang=en", {"status": "not an image"},
        files={"file_1": ("x.png", b"\x00garbage" * 10, "image/png")},
    )  # fmt: skip
    assert bad.status_code == 422 and "could not be used" in bad.text


async def test_favourite_boost_bookmark_and_vote_as_plain_forms(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    post = await post_status(context, "ben", "Please share widely")
    await sign_in(client, "amal", "password-amal")
    for action in ("favourite", "reblog", "bookmark"):
        answer = await submit(client, f"/statuses/{post.id}/{action}", {"next": "/local"})
        assert answer.status_code == 303 and answer.headers["location"] == "/local"
    page = await client.get("/local", headers=BROWSER)
    assert page.text.count('aria-pressed="true"') >= 3
    async with context.db.read() as conn:
        assert await statuses.get_by_id(conn, post.id) is not None
    for action in ("unfavourite", "unreblog", "unbookmark"):
        await submit(client, f"/statuses/{post.id}/{action}", {"next": "/local"})
    page = await client.get("/local", headers=BROWSER)
    assert 'aria-pressed="true"' not in page.text


async def test_htmx_gets_the_card_alone(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    post = await post_status(context, "ben", "In place")
    await sign_in(client, "amal", "password-amal")
    answer = await submit(
        client, f"/statuses/{post.id}/favourite", {"next": "/local"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<article")
    assert "<html" not in answer.text
    assert answer.headers["cache-control"] == "private, no-store"


async def test_nobody_acts_on_a_post_they_cannot_see(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    secret = await post_status(context, "ben", "For my followers", visibility="private")
    await sign_in(client, "amal", "password-amal")
    for action in ("favourite", "reblog", "bookmark"):
        answer = await submit(client, f"/statuses/{secret.id}/{action}", {})
        assert answer.status_code == 404
    reply = await client.get(f"/statuses/{secret.id}/reply", headers=BROWSER)
    assert reply.status_code == 404 and "For my followers" not in reply.text


async def test_reply_edit_and_delete(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    post = await post_status(context, "ben", "Who has the file?")
    await sign_in(client, "amal", "password-amal")
    page = await client.get(f"/statuses/{post.id}/reply?lang=en", headers=BROWSER)
    assert page.status_code == 200 and "@ben@fedi.test " in page.text
    await submit(client, "/statuses", {"status": "@ben@fedi.test I do",
                                       "in_reply_to_id": str(post.id)})  # fmt: skip
    reply = await newest_of(context, amal)
    assert reply.in_reply_to_id == post.id

    edit = await client.get(f"/statuses/{reply.id}/edit", headers=BROWSER)
    assert edit.status_code == 200
    assert (await client.get(f"/statuses/{post.id}/edit", headers=BROWSER)).status_code == 404
    await submit(client, f"/statuses/{reply.id}/edit", {"status": "@ben@fedi.test I do, here"},
                 page=f"/statuses/{reply.id}/edit")  # fmt: skip
    async with context.db.read() as conn:
        edited = await statuses.get_by_id(conn, reply.id)
    assert edited is not None and "here" in edited.content and edited.edited_at is not None

    confirm = await client.get(f"/statuses/{reply.id}/delete", headers=BROWSER)
    assert confirm.status_code == 200
    refused = await submit(
        client, f"/statuses/{post.id}/delete", {}, page=f"/statuses/{reply.id}/delete"
    )
    assert refused.status_code == 404
    await submit(client, f"/statuses/{reply.id}/delete", {}, page=f"/statuses/{reply.id}/delete")
    async with context.db.read() as conn:
        assert await statuses.get_by_id(conn, reply.id) is None
        assert await statuses.get_by_id(conn, post.id) is not None


async def test_arabic_home_keeps_handles_and_english_posts_intact(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await follow(context, "amal", ben.account)
    await post_status(context, "ben", "English text inside an Arabic page", language="en")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/home?lang=ar", headers=BROWSER)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in page.text
    assert 'dir="auto" lang="en"' in page.text
