"""A hashtag's page for members: public posts with the tag from here and elsewhere, nothing more
private, the member's mutes and public-context filters applied, Arabic tags and pages intact;
following a hashtag from its page (its public posts then come home), and the page of the
hashtags a member follows, with forms refused without their CSRF token."""

from __future__ import annotations

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import User
from fedi.relationships.muting import mute
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.api.people import remote_account, remote_post
from tests.web.member.helpers import BROWSER, csrf_of, sign_in, submit
from tests.web.member.rig import add_filter


@pytest.fixture
async def amal(context: Context) -> User:
    return await add_member(context, "amal", "password-amal")


@pytest.fixture
async def ben(context: Context) -> User:
    return await add_member(context, "ben", "password-ben")


async def test_a_hashtag_page_needs_signing_in(client: httpx.AsyncClient) -> None:
    answer = await client.get("/tags/climate", headers=BROWSER)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/auth/sign_in?next=%2Ftags%2Fclimate"


async def test_a_hashtag_page_shows_public_posts_only(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await follow(context, "amal", ben.account)
    await post_status(context, "ben", "March on Saturday #Climate")
    await post_status(context, "ben", "Followers only plan #climate", visibility="private")
    await post_status(context, "ben", "Quiet note #climate", visibility="unlisted")
    await post_status(context, "ben", "Unrelated #weather")
    remote = await remote_account(context, "rita", "remote.example")
    await remote_post(context, remote, "From the coast #climate", tags=("climate",))
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/tags/climate?lang=en", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "March on Saturday" in page.text and "From the coast" in page.text
    assert "Followers only plan" not in page.text and "Quiet note" not in page.text
    assert "Unrelated" not in page.text
    assert "<title>\u2068#climate\u2069 · Test network</title>" in page.text
    assert ">#climate </textarea>" in page.text  # the compose box starts with the tag
    same = await client.get("/tags/%23CLIMATE", headers=BROWSER)
    assert "March on Saturday" in same.text


async def test_mutes_and_public_filters_apply_on_a_hashtag(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    cara = await add_member(context, "cara", "password-cara")
    await post_status(context, "ben", "Meeting moved #union")
    await post_status(context, "ben", "Gossip about the boss #union")
    await post_status(context, "cara", "Cara says hi #union")
    await add_filter(context, amal.account.id, "gossip", "hide", ("public",))
    await mute(context, amal, cara.account, notifications=False, duration=0)
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/tags/union", headers=BROWSER)
    assert "Meeting moved" in page.text
    assert "Gossip" not in page.text and "Cara says hi" not in page.text


async def test_an_arabic_hashtag_in_an_arabic_page(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await post_status(context, "ben", "Notes from the workshop #تضامن", language="en")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/tags/تضامن?lang=ar", headers=BROWSER)
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text
    assert "Notes from the workshop" in page.text
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in page.text
    assert '/tags/تضامن"' in page.text  # the post's own link to the hashtag's page


async def test_a_name_that_cannot_be_a_hashtag_is_a_readable_404(
    client: httpx.AsyncClient, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    for bad in ("/tags/a-b", "/tags/" + "x" * 101, "/tags/%00"):
        answer = await client.get(bad, headers=BROWSER)
        assert answer.status_code == 404, bad
        assert "<html" in answer.text


async def test_following_a_hashtag_brings_its_public_posts_home(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await post_status(context, "ben", "Seed swap on Friday #Gardens")
    await post_status(context, "ben", "Just for followers #gardens", visibility="private")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/tags/gardens?lang=en", headers=BROWSER)
    assert 'action="/tags/gardens/follow"' in page.text
    assert "Follow this hashtag" in page.text
    assert "Seed swap" not in (await client.get("/home", headers=BROWSER)).text

    answer = await submit(client, "/tags/gardens/follow", {"next": "/tags/gardens"},
                          page="/tags/gardens")  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/tags/gardens"
    assert answer.headers["cache-control"] == "private, no-store"
    page = await client.get("/tags/gardens?lang=en", headers=BROWSER)
    assert 'action="/tags/gardens/unfollow"' in page.text
    assert "Unfollow this hashtag" in page.text
    home = await client.get("/home", headers=BROWSER)
    assert "Seed swap on Friday" in home.text  # from someone amal does not follow
    assert "Just for followers" not in home.text

    answer = await submit(client, "/tags/gardens/unfollow", {}, page="/tags/gardens")
    assert answer.status_code == 303 and answer.headers["location"] == "/tags/gardens"
    assert "Seed swap" not in (await client.get("/home", headers=BROWSER)).text


async def test_the_followed_hashtags_page_lists_them_with_an_unfollow_form(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    anonymous = await client.get("/tags", headers=BROWSER)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/auth/sign_in?next=%2Ftags"
    await sign_in(client, "amal", "password-amal")
    empty = await client.get("/tags?lang=en", headers=BROWSER)
    assert empty.status_code == 200 and empty.headers["cache-control"] == "private, no-store"
    assert "You follow no hashtag yet" in empty.text
    for name in ("rivers", "تضامن"):
        answer = await submit(client, f"/tags/{name}/follow", {}, page=f"/tags/{name}")
        assert answer.status_code == 303
    page = await client.get("/tags?lang=en", headers=BROWSER)
    assert page.headers["cache-control"] == "private, no-store"
    assert page.text.index("#تضامن") < page.text.index("#rivers")  # the latest first
    assert 'action="/tags/%D8%AA%D8%B6%D8%A7%D9%85%D9%86/unfollow"' in page.text
    answer = await submit(client, "/tags/rivers/unfollow", {"next": "/tags"}, page="/tags")
    assert answer.status_code == 303 and answer.headers["location"] == "/tags"
    page = await client.get("/tags?lang=en", headers=BROWSER)
    assert "#rivers" not in page.text and "#تضامن" in page.text


async def test_following_without_the_csrf_token_or_from_elsewhere_is_refused(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    visitor = await client.post("/tags/rivers/follow", data={"next": "/tags"}, headers=BROWSER)
    assert visitor.status_code == 303 and visitor.headers["location"] == "/auth/sign_in"
    await sign_in(client, "amal", "password-amal")
    await csrf_of(client, "/tags/rivers")
    forged = await client.post(
        "/tags/rivers/follow", data={"csrf_token": "x" * 40}, headers=BROWSER
    )
    assert forged.status_code == 403 and "<html" in forged.text
    missing = await client.post("/tags/rivers/follow", data={"next": "/tags"}, headers=BROWSER)
    assert missing.status_code == 403
    elsewhere = await submit(
        client, "/tags/rivers/follow", {}, page="/tags/rivers",
        headers={"Origin": "https://evil.example.org"},
    )  # fmt: skip
    assert elsewhere.status_code == 403
    page = await client.get("/tags?lang=en", headers=BROWSER)
    assert "You follow no hashtag yet" in page.text
    bad = await submit(client, "/tags/a-b/follow", {}, page="/tags/rivers")
    assert bad.status_code == 404 and "<html" in bad.text
    unknown = await submit(client, "/tags/rivers/shout", {}, page="/tags/rivers")
    assert unknown.status_code == 404
