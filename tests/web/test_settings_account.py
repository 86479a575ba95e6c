"""/settings/account: password (the current one first, throttled, the other sessions and every
app signed out), e-mail address, interface language, and the open sessions and apps, each
revoked at once: a revoked token gets 401 from the API, a revoked session is signed out."""

from __future__ import annotations

import re

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.accounts.oauth import register_app, token_for_new_member
from fedi.accounts.passwords import verify_password
from fedi.app import create_app
from fedi.context import Context
from fedi.core.config import Settings
from fedi.core.models import User
from fedi.db import users
from tests.conftest import BASE
from tests.testrig.group_web import BROWSER, csrf_token, sign_in

PATH = "/settings/account"


@pytest.fixture
async def alice(context: Context, client: httpx.AsyncClient) -> User:
    user = await add_member(context, "alice", "alice-password")
    await sign_in(client, "alice", "alice-password")
    return user


async def submit(
    client: httpx.AsyncClient, action: str, fields: dict[str, str], csrf: str | None = "page"
) -> httpx.Response:
    data = dict(fields)
    if csrf == "page":
        data["csrf_token"] = await csrf_token(client, PATH)
    elif csrf is not None:
        data["csrf_token"] = csrf
    return await client.post(f"{PATH}/{action}", data=data, headers=BROWSER | {"Origin": BASE})


async def api_token(context: Context, user: User, name: str = "Tusky") -> str:
    app, _ = await register_app(context, name, ["urn:ietf:wg:oauth:2.0:oob"], "read write", None)
    return (await token_for_new_member(context, app, user)).access_token


async def verify(client: httpx.AsyncClient, token: str) -> int:
    response = await client.get(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


async def password_works(context: Context, password: str) -> bool:
    async with context.db.read() as conn:
        user = await users.get_user(conn, "alice")
        assert user is not None
        stored = await users.get_password_hash(conn, user.account.id)
    return stored is not None and verify_password(password, stored)


async def test_a_visitor_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get(PATH, headers=BROWSER)
    assert page.status_code == 303
    assert page.headers["location"] == "/auth/sign_in?next=%2Fsettings%2Faccount"
    refused = await client.post(f"{PATH}/language", data={"language": "fr"}, headers=BROWSER)
    assert refused.status_code == 303


async def test_the_page_labels_every_input(client: httpx.AsyncClient, alice: User) -> None:
    page = await client.get(PATH, headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    for found in re.finditer(r"<(?:input|select|textarea) ([^>]*)>", page.text):
        attributes = found[1]
        if 'type="hidden"' in attributes or " hidden" in attributes:
            continue
        name = re.search(r'id="([^"]+)"', attributes)
        assert name and f'for="{name[1]}"' in page.text, attributes


async def test_changing_the_password_signs_out_everything_else(
    client: httpx.AsyncClient, settings: Settings, context: Context, alice: User
) -> None:
    token = await api_token(context, alice)
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, context, workers=False)),
        base_url=BASE,
    )
    async with other:
        await sign_in(other, "alice", "alice-password")
        changed = await submit(client, "password", {
            "current_password": "alice-password", "new_password": "a new long password",
            "new_password_confirmation": "a new long password"})  # fmt: skip
        assert changed.status_code == 303
        assert changed.headers["location"] == f"{PATH}?done=password"
        assert "session=" in changed.headers["set-cookie"]  # this browser stays signed in
        assert (await client.get(PATH, headers=BROWSER)).status_code == 200
        assert (await other.get(PATH, headers=BROWSER)).status_code == 303
    assert await verify(client, token) == 401
    assert await password_works(context, "a new long password")


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"current_password": "not-the-password"}, 403, "The current password is not right."),
        (
            {"new_password_confirmation": "something else"},
            422,
            "The two passwords are not the same.",
        ),
        ({"new_password": "short", "new_password_confirmation": "short"}, 422, "at least 8"),
    ],
)
async def test_a_refused_password_change_changes_nothing(
    client: httpx.AsyncClient,
    context: Context,
    alice: User,
    fields: dict[str, str],
    status: int,
    message: str,
) -> None:
    token = await api_token(context, alice)
    base = {"current_password": "alice-password", "new_password": "a new long password",
            "new_password_confirmation": "a new long password"}  # fmt: skip
    refused = await submit(client, "password", base | fields)
    assert refused.status_code == status
    assert message in refused.text and "Nothing was changed." in refused.text
    assert await password_works(context, "alice-password")
    assert await verify(client, token) == 200


@pytest.mark.parametrize("token", [None, "wrong-token-wrong-token-wrong"])
async def test_every_form_needs_the_csrf_token(
    client: httpx.AsyncClient, context: Context, alice: User, token: str | None
) -> None:
    api = await api_token(context, alice)
    forms = {
        "password": {"current_password": "alice-password", "new_password": "a new long password",
                     "new_password_confirmation": "a new long password"},
        "email": {"email": "new@example.org", "current_password": "alice-password"},
        "language": {"language": "ar"},
    }  # fmt: skip
    for action, fields in forms.items():
        assert (await submit(client, action, fields, csrf=token)).status_code == 403, action
    page = await client.get(PATH, headers=BROWSER)
    app_id = re.search(r"/settings/account/apps/(\d+)/revoke", page.text)
    assert app_id
    revoke = await submit(client, f"apps/{app_id[1]}/revoke", {"go": "1"}, csrf=token)
    assert revoke.status_code == 403
    assert await password_works(context, "alice-password")
    assert await verify(client, api) == 200
    async with context.db.read() as conn:
        user = await users.get_user(conn, "alice")
        assert user is not None and user.locale is None
        assert await users.get_email(conn, user.account.id) is None


async def test_the_password_check_is_throttled_like_sign_in(
    client: httpx.AsyncClient, alice: User
) -> None:
    limits = client._transport.app.state.sign_in_limits  # type: ignore[attr-defined]
    limits.clear()
    statuses = []
    for _ in range(30):
        response = await submit(client, "email", {"email": "a@example.org",
                                                  "current_password": "wrong"})  # fmt: skip
        statuses.append(response.status_code)
    assert statuses[0] == 403 and statuses[-1] == 429
    assert "Too many attempts" in response.text and "retry-after" in response.headers


async def test_the_e_mail_address_changes_with_the_password(
    client: httpx.AsyncClient, context: Context, alice: User
) -> None:
    await add_member(context, "bob", "bob-password")
    async with context.db.read() as conn:
        bob = await users.get_user(conn, "bob")
    assert bob is not None
    await context.db.write(lambda conn: users.set_email(conn, bob.account.id, "bob@example.org"))
    taken = await submit(client, "email", {"email": "BOB@example.org",
                                           "current_password": "alice-password"})  # fmt: skip
    assert taken.status_code == 422 and "already used by another account" in taken.text
    bad = await submit(client, "email", {"email": "not an address",
                                         "current_password": "alice-password"})  # fmt: skip
    assert bad.status_code == 422 and "not a valid e-mail address" in bad.text
    changed = await submit(client, "email", {"email": "alice@example.org",
                                             "current_password": "alice-password"})  # fmt: skip
    assert changed.status_code == 303
    async with context.db.read() as conn:
        assert await users.get_email(conn, alice.account.id) == "alice@example.org"
    assert 'value="alice@example.org"' in (await client.get(PATH, headers=BROWSER)).text


async def test_the_chosen_language_follows_the_member(
    client: httpx.AsyncClient, alice: User
) -> None:
    headers = BROWSER | {"Accept-Language": "de"}
    assert '<html lang="de"' in (await client.get("/about", headers=headers)).text
    bad = await submit(client, "language", {"language": "xx"})
    assert bad.status_code == 422
    assert (await submit(client, "language", {"language": "ar"})).status_code == 303
    home = await client.get("/about", headers=headers)
    assert '<html lang="ar" dir="rtl">' in home.text
    assert '<html lang="fr"' in (await client.get("/about?lang=fr", headers=headers)).text
    client.cookies.delete("lang")
    assert (await submit(client, "language", {"language": ""})).status_code == 303
    assert '<html lang="de"' in (await client.get("/about", headers=headers)).text


async def test_another_session_is_listed_and_revoked_at_once(
    client: httpx.AsyncClient, settings: Settings, context: Context, alice: User
) -> None:
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, context, workers=False)),
        base_url=BASE, headers={"User-Agent": "PhoneBrowser/1.0"},
    )  # fmt: skip
    async with other:
        await sign_in(other, "alice", "alice-password")
        page = await client.get(PATH, headers=BROWSER)
        assert "PhoneBrowser/1.0" in page.text and "This browser" in page.text
        ids = re.findall(r"/settings/account/sessions/(\d+)/revoke", page.text)
        assert len(ids) == 1  # the current session has no revoke button
        assert (await submit(client, f"sessions/{ids[0]}/revoke", {})).status_code == 303
        assert (await other.get(PATH, headers=BROWSER)).status_code == 303
        assert (await client.get(PATH, headers=BROWSER)).status_code == 200


async def test_an_app_is_listed_and_its_token_revoked_at_once(
    client: httpx.AsyncClient, context: Context, alice: User
) -> None:
    token = await api_token(context, alice, "Tusky <b>")
    assert await verify(client, token) == 200
    page = await client.get(PATH, headers=BROWSER)
    assert "<bdi>Tusky &lt;b&gt;</bdi>" in page.text and "read write" in page.text
    token_id = re.search(r"/settings/account/apps/(\d+)/revoke", page.text)
    assert token_id
    assert (await submit(client, f"apps/{token_id[1]}/revoke", {})).status_code == 303
    assert await verify(client, token) == 401
    assert "No app can use your account." in (await client.get(PATH, headers=BROWSER)).text


async def test_another_members_session_or_token_cannot_be_revoked(
    client: httpx.AsyncClient, context: Context, alice: User
) -> None:
    bob = await add_member(context, "bob", "bob-password")
    token = await api_token(context, bob)
    async with context.db.read() as conn:
        cursor = await conn.execute("SELECT id FROM oauth_tokens WHERE account_id = ?",
                                    (bob.account.id,))  # fmt: skip
        (token_id,) = await cursor.fetchone()  # type: ignore[misc]
    assert (await submit(client, f"apps/{token_id}/revoke", {})).status_code == 303
    assert await verify(client, token) == 200
