"""Signing in on the web: CSRF, throttling, sessions ended by suspension and password changes."""

from __future__ import annotations

import re

import httpx
import pytest

from fedi.accounts.members import add_member, set_password, set_suspended
from fedi.context import Context
from tests.conftest import BASE

BROWSER = {"Accept": "text/html"}


async def csrf_from_form(client: httpx.AsyncClient, path: str = "/auth/sign_in") -> str:
    page = await client.get(path, headers=BROWSER)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match[1]


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str, next_path: str = "/"
) -> httpx.Response:
    token = await csrf_from_form(client)
    return await client.post(
        "/auth/sign_in",
        data={"csrf_token": token, "username": username, "password": password, "next": next_path},
        headers=BROWSER | {"Origin": BASE},
    )


@pytest.fixture
async def alice(context: Context) -> None:
    await add_member(context, "alice", "alice-password")


async def test_sign_in_opens_a_session_shown_on_every_page(
    client: httpx.AsyncClient, alice: None
) -> None:
    response = await sign_in(client, "alice", "alice-password", "/@alice")
    assert response.status_code == 303
    assert response.headers["location"] == "/@alice"
    cookie = response.headers["set-cookie"]
    assert "session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=lax" in cookie
    front = await client.get("/?lang=en", headers=BROWSER)
    assert front.status_code == 302 and front.headers["location"] == "/home?lang=en"
    about = await client.get("/about?lang=en", headers=BROWSER)
    assert 'Signed in as <bdi dir="ltr">@alice</bdi>' in about.text
    french = await client.get("/@alice?lang=fr", headers=BROWSER)
    assert 'Connecté en tant que <bdi dir="ltr">@alice</bdi>' in french.text


async def test_sign_out_ends_the_session(client: httpx.AsyncClient, alice: None) -> None:
    await sign_in(client, "alice", "alice-password")
    token = await csrf_from_form(client, "/about")
    out = await client.post("/auth/sign_out", data={"csrf_token": token}, headers=BROWSER)
    assert out.status_code == 303
    assert "Signed in as" not in (await client.get("/about?lang=en", headers=BROWSER)).text


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong-password"), ("nobody", "alice-password"), ("", "")],
)
async def test_wrong_credentials_get_the_same_answer(
    client: httpx.AsyncClient, alice: None, username: str, password: str
) -> None:
    response = await sign_in(client, username, password)
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert "session=" not in response.headers.get("set-cookie", "")


async def test_suspended_member_cannot_sign_in(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    await set_suspended(context, "alice", True)
    response = await sign_in(client, "alice", "alice-password")
    assert response.status_code == 401
    assert "suspended" in response.text


async def test_suspension_ends_open_sessions_at_once(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    await sign_in(client, "alice", "alice-password")
    await set_suspended(context, "alice", True)
    assert "Signed in as" not in (await client.get("/about?lang=en", headers=BROWSER)).text


async def test_password_change_ends_open_sessions(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    await sign_in(client, "alice", "alice-password")
    await set_password(context, "alice", "another-password")
    assert "Signed in as" not in (await client.get("/about?lang=en", headers=BROWSER)).text
    assert (await sign_in(client, "alice", "alice-password")).status_code == 401
    assert (await sign_in(client, "alice", "another-password")).status_code == 303


async def test_form_without_csrf_token_is_refused(client: httpx.AsyncClient, alice: None) -> None:
    await csrf_from_form(client)
    response = await client.post(
        "/auth/sign_in",
        data={"username": "alice", "password": "alice-password"},
        headers=BROWSER,
    )
    assert response.status_code == 403
    assert "session=" not in response.headers.get("set-cookie", "")


async def test_form_from_another_origin_is_refused(client: httpx.AsyncClient, alice: None) -> None:
    token = await csrf_from_form(client)
    response = await client.post(
        "/auth/sign_in",
        data={"csrf_token": token, "username": "alice", "password": "alice-password"},
        headers=BROWSER | {"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_sign_out_needs_the_csrf_token(client: httpx.AsyncClient, alice: None) -> None:
    await sign_in(client, "alice", "alice-password")
    forged = await client.post("/auth/sign_out", data={"csrf_token": "x" * 43}, headers=BROWSER)
    assert forged.status_code == 403
    assert "Signed in as" in (await client.get("/about?lang=en", headers=BROWSER)).text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
async def test_next_never_leaves_the_site(
    client: httpx.AsyncClient, alice: None, target: str
) -> None:
    response = await sign_in(client, "alice", "alice-password", target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_sign_in_is_throttled_per_account(client: httpx.AsyncClient, alice: None) -> None:
    for _ in range(25):
        assert (await sign_in(client, "alice", "wrong-password")).status_code == 401
    throttled = await sign_in(client, "alice", "alice-password")
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    assert "Too many attempts" in throttled.text


async def test_sign_in_is_throttled_per_address(client: httpx.AsyncClient, alice: None) -> None:
    for n in range(25):
        assert (await sign_in(client, f"user{n}", "wrong-password")).status_code == 401
    assert (await sign_in(client, "alice", "alice-password")).status_code == 429


async def test_malformed_form_bodies_are_4xx(client: httpx.AsyncClient) -> None:
    as_json = await client.post("/auth/sign_in", json={"username": "x"}, headers=BROWSER)
    assert as_json.status_code == 415
    huge = await client.post(
        "/auth/sign_in",
        content=b"a=" + b"x" * 70_000,
        headers=BROWSER | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    binary = await client.post(
        "/auth/sign_in",
        content=b"\xff\xfe=\xff",
        headers=BROWSER | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code == 400
