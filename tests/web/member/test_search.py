"""The search page without JavaScript: people by name or handle (a full handle on another
server found through WebFinger from a real peer, and followed from the result), public hashtags,
and a post by its address only for a member who may see it; nothing the searcher may not see
ever shows (followers-only posts, private groups' posts and the tags only they carry)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.context import Context
from fedi.core.config import Settings, load_settings
from fedi.core.models import Account, User
from fedi.db import accounts, follows
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.api.tokens import bearer
from tests.conftest import BASE, DOMAIN
from tests.testrig.group_web import group_post, remote_account
from tests.testrig.instances import federation, settle
from tests.web.member.helpers import BROWSER, csrf_of, sign_in, submit


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The usual test instance, with the password grant for the API's side of a comparison."""
    return load_settings(
        {"FEDI_DOMAIN": DOMAIN, "FEDI_DATA_DIR": str(tmp_path / "data"),
         "FEDI_REGISTRATIONS": "approval", "FEDI_INSTANCE_TITLE": "Test network",
         "FEDI_PASSWORD_GRANT": "true"}
    )  # fmt: skip


@pytest.fixture
async def members(context: Context) -> dict[str, User]:
    found = {n: await add_member(context, n, f"{n}-password") for n in ("amal", "ben", "olga")}
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE accounts SET display_name = 'Benedikt Lawyer' WHERE id = ?",
            (found["ben"].account.id,),
        )
    )
    return found


@pytest.fixture
async def rita(context: Context) -> Account:
    return await remote_account(context, "rita", "remote.example.org")


def section(page: str, name: str) -> str:
    match = re.search(rf'<section class="results {name}".*?</section>', page, re.S)
    assert match, name
    return match[0]


async def search(client: httpx.AsyncClient, query: str, lang: str = "en") -> httpx.Response:
    return await client.get("/search", params={"q": query, "lang": lang}, headers=BROWSER)


async def test_an_empty_search_shows_the_form_alone(
    client: httpx.AsyncClient, members: dict[str, User]
) -> None:
    assert (await client.get("/search?q=ben", headers=BROWSER)).status_code == 303
    await sign_in(client, "amal", "amal-password")
    page = await search(client, "")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert 'name="q"' in page.text and 'class="results' not in page.text
    too_long = await search(client, "x" * 201)
    assert too_long.status_code == 422 and 'class="results' not in too_long.text


async def test_people_by_name_and_handle_local_and_known_remote(
    client: httpx.AsyncClient, context: Context, members: dict[str, User], rita: Account
) -> None:
    await sign_in(client, "amal", "amal-password")
    people = section((await search(client, "bene")).text, "people")
    assert "<bdi>Benedikt Lawyer</bdi>" in people and 'action="/@ben/follow"' in people
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in people
    remote = section((await search(client, "@rita@remote.example.org")).text, "people")
    assert 'action="/@rita@remote.example.org/follow"' in remote
    by_name = section((await search(client, "rit")).text, "people")
    assert "@rita@remote.example.org" in by_name
    answer = await submit(
        client, "/@rita@remote.example.org/follow", {"next": "/search?q=rit"},
        page="/search?q=rit",
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/search?q=rit"
    async with context.db.read() as conn:
        found = await follows.get_follow(conn, members["amal"].account.id, rita.id)
    assert found is not None and found[2] == "pending"
    again = section((await search(client, "rit")).text, "people")
    assert "Requested" in again and "/follow" not in again
    arabic = await search(client, "bene", "ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in arabic.text


async def test_hashtags_only_from_posts_anyone_may_see(
    client: httpx.AsyncClient, context: Context, members: dict[str, User]
) -> None:
    await post_status(context, "ben", "Rally on Friday #climatejustice")
    await post_status(context, "ben", "Only for followers #climatesecret", visibility="private")
    group = await create_group(context, "casework", "olga", is_private=True)
    await group_post(
        context, group.account, group, "Copy #climatecase", visibility="private",
        submitted_by=members["ben"].account,
    )  # fmt: skip
    await context.db.write(
        lambda conn: conn.execute(
            "INSERT INTO status_tags (status_id, name) SELECT id, 'climatecase' FROM statuses"
            " WHERE account_id = ?", (group.id,),
        )
    )  # fmt: skip
    await sign_in(client, "amal", "amal-password")
    tags = section((await search(client, "#climate")).text, "hashtags")
    assert 'href="/tags/climatejustice"' in tags
    assert "climatesecret" not in tags and "climatecase" not in tags
    # The client API's search finds the same tags (fedi.statuses.search serves both).
    api = await client.get(
        "/api/v2/search", params={"q": "#climate"}, headers=await bearer(client, "amal", "read")
    )
    assert [t["name"] for t in api.json()["hashtags"]] == ["climatejustice"]


async def test_a_post_by_its_address_only_for_those_who_may_see_it(
    client: httpx.AsyncClient, context: Context, members: dict[str, User]
) -> None:
    public = await post_status(context, "ben", "Open letter to the council")
    private = await post_status(context, "ben", "Followers hear this first", visibility="private")
    group = await create_group(context, "casework", "olga", is_private=True)
    copy = await group_post(
        context, group.account, group, "Strategy for the appeal", visibility="private",
        submitted_by=members["ben"].account,
    )  # fmt: skip
    await sign_in(client, "amal", "amal-password")
    assert public.url is not None
    for address in (public.uri, public.url):
        posts = section((await search(client, address)).text, "posts")
        assert "Open letter to the council" in posts and "/favourite" in posts
    for hidden in (private, copy):
        page = await search(client, hidden.uri)
        assert page.status_code == 200
        assert "Followers hear this first" not in page.text
        assert "Strategy for the appeal" not in page.text

    await follow(context, "amal", members["ben"].account)
    await follow(context, "amal", group.account)
    await moderation.approve(context, group, members["olga"], members["amal"].account.id)
    assert "Followers hear this first" in (await search(client, private.uri)).text
    assert "Strategy for the appeal" in (await search(client, copy.uri)).text


async def test_a_full_handle_on_another_server_is_found_and_followed(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "amal", "amal-password")
        await add_member(b.ctx, "bob", "bob-password")
        app = create_app(a.settings, a.ctx, workers=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=a.base) as client:
            origin = {"Origin": a.base}
            token = await csrf_of(client, "/auth/sign_in")
            signed = await client.post(
                "/auth/sign_in", headers=BROWSER | origin,
                data={"csrf_token": token, "username": "amal", "password": "amal-password"},
            )  # fmt: skip
            assert signed.status_code == 303
            handle = b.handle("bob")
            page = await client.get("/search", params={"q": handle}, headers=BROWSER)
            people = section(page.text, "people")
            acct = handle.removeprefix("@")
            assert f'<bdi dir="ltr" class="handle">{handle}</bdi>' in people
            assert f'action="/@{acct}/follow"' in people
            token = await csrf_of(client, f"/search?q={acct}")
            followed = await client.post(
                f"/@{acct}/follow", headers=BROWSER | origin,
                data={"csrf_token": token, "next": f"/@{acct}"},
            )  # fmt: skip
            assert followed.status_code == 303
            await settle(a, b)
            async with b.ctx.db.read() as conn:
                bob = await accounts.get_local_actor(conn, "bob")
                assert bob is not None
                amal = await accounts.get_by_uri(conn, f"{a.base}/users/amal")
                assert amal is not None
                state = await follows.get_follow(conn, amal.id, bob.id)
            assert state is not None and state[2] == "accepted"
            profile = await client.get(f"/@{acct}?lang=en", headers=BROWSER)
            assert profile.status_code == 200 and f'action="/@{acct}/unfollow"' in profile.text


async def test_odd_input_gets_a_readable_answer_never_a_crash(
    client: httpx.AsyncClient, context: Context, members: dict[str, User]
) -> None:
    await sign_in(client, "amal", "amal-password")
    for path, expected in [
        ("/search?q=%00", 200), ("/search?q=%23", 200), ("/search?q=@@@", 200),
        ("/search?q=https://", 200), ("/search?q=@a@b@c", 200),
        ("/@ben?max_id=99999999999999999999999", 200), ("/@%00", 404), ("/@a@b@c", 404),
        ("/@nobody/report", 404), ("/@ben@/report", 200),
    ]:  # fmt: skip
        answer = await client.get(path, headers=BROWSER)
        assert answer.status_code == expected, path
        assert "<html" in answer.text
    token = await csrf_of(client, "/search")
    wrong_type = await client.post(
        "/@ben/report", json={"csrf_token": token}, headers=BROWSER | {"Origin": BASE}
    )
    assert wrong_type.status_code == 415
    missing = await submit(client, "/statuses", {"status": "hi", "group": "nowhere"})
    assert missing.status_code == 404


async def test_posts_by_their_words_as_the_api_finds_them(
    client: httpx.AsyncClient, context: Context, members: dict[str, User]
) -> None:
    await post_status(context, "ben", "Open letter on the courthouse")
    await post_status(context, "ben", "Followers only: the courthouse steps", visibility="private")
    group = await create_group(context, "casework", "olga", is_private=True)
    await group_post(
        context, group.account, group, "Courthouse strategy", visibility="private",
        submitted_by=members["ben"].account,
    )  # fmt: skip
    await sign_in(client, "amal", "amal-password")
    posts = section((await search(client, "courthou")).text, "posts")
    assert "Open letter on the courthouse" in posts and "/favourite" in posts
    assert "courthouse steps" not in posts and "Courthouse strategy" not in posts
    api = await client.get(
        "/api/v2/search", params={"q": "courthou", "type": "statuses"},
        headers=await bearer(client, "amal", "read"),
    )  # fmt: skip
    assert [s["content"] for s in api.json()["statuses"]] == [
        "<p>Open letter on the courthouse</p>"
    ]
    await follow(context, "amal", members["ben"].account)
    await follow(context, "amal", group.account)
    await moderation.approve(context, group, members["olga"], members["amal"].account.id)
    posts = section((await search(client, "courthouse")).text, "posts")
    assert "courthouse steps" in posts and "Courthouse strategy" in posts
    empty = section((await search(client, "nothing-like-this")).text, "posts")
    assert "No posts found." in empty
