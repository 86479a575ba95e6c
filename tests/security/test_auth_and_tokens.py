"""security.md section F over HTTP: scopes on every route (A1), no admin scopes for members (A2),
PKCE plain refused (A3), dead tokens of suspended, pending, deleted and re-passworded members on
every route (A5), other members' direct messages invisible by guessed id (A6), login throttling
per address, per IPv6 /64 and per account (A8), and web-only forms closed to bearer tokens (A9).

The route walks read the route table, so routes added later are covered without editing here."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from fedi.accounts.members import (
    MemberError,
    add_member,
    get_member,
    reject_member,
    set_password,
    set_suspended,
)
from fedi.accounts.oauth import app_for, exchange_code, grantable, issue_code
from fedi.accounts.registrations import SignUp, register
from fedi.accounts.scopes import grants
from fedi.api.routes import api_routes
from fedi.app import create_app
from fedi.context import Context
from fedi.core.config import Settings
from fedi.statuses.posting import post_status
from tests.conftest import BASE
from tests.web.test_signin import BROWSER, csrf_from_form

REDIRECT = "https://app.example/cb"
ALL_SCOPES = "read write follow push admin:read admin:write"
MISSING = object()


@dataclass
class Api:
    context: Context
    app: Starlette
    http: httpx.AsyncClient

    def client_from(self, address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url=BASE)

    def reset_throttles(self) -> None:
        self.app.state.sign_in_limits.clear()
        self.app.state.rate_limits.clear()


@pytest.fixture
async def api(settings: Settings, context: Context) -> AsyncIterator[Api]:
    await add_member(context, "alice", "alice-password")
    app = create_app(settings, context, workers=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        yield Api(context, app, http)


async def token_of(api: Api, username: str, scope: str = "read write follow") -> tuple[str, str]:
    """A member's token through the authorization-code grant, with the scopes it was granted."""
    registered = await api.http.post(
        "/api/v1/apps", data={"client_name": "t", "redirect_uris": REDIRECT, "scopes": ALL_SCOPES}
    )
    app_json = registered.json()
    app = await app_for(api.context, app_json["client_id"])
    user = await get_member(api.context, username)
    code = await issue_code(api.context, app, user, REDIRECT, grantable(app, scope, user), None)
    issued = await exchange_code(api.context, app, app_json["client_secret"], code, REDIRECT, None)
    return issued.access_token, " ".join(issued.scopes)


def token_routes() -> list[tuple[str, str, Any]]:
    """(method, path with ids filled in, required scope) of every route that takes a token."""
    found = []
    for route in api_routes:
        scope = getattr(getattr(route, "endpoint", None), "required_scope", MISSING)
        path = getattr(route, "path", "")
        if scope is MISSING or path.endswith("/"):
            continue
        for method in sorted(getattr(route, "methods", set()) - {"HEAD"}):
            found.append((method, re.sub(r"\{[^}]+\}", "1", path), scope))
    return found


def test_the_walk_sees_the_whole_api() -> None:
    routes = token_routes()
    assert len(routes) >= 30
    paths = {path for _, path, _ in routes}
    assert {"/api/v1/statuses", "/api/v1/notifications", "/api/v1/accounts"} <= paths


async def call(api: Api, method: str, path: str, token: str) -> httpx.Response:
    api.reset_throttles()  # POST /api/v1/accounts counts attempts before it reads the token
    return await api.http.request(
        method, path, headers={"Authorization": f"Bearer {token}"}, data={"status": "x"}
    )


# --- A1: one scope check, on every route --------------------------------------------------------


@pytest.mark.parametrize("held", ["read", "read:statuses", "write:statuses", "follow"])
async def test_a1_every_route_refuses_a_token_without_its_scope(api: Api, held: str) -> None:
    token, granted = await token_of(api, "alice", held)
    assert granted == held
    refused = 0
    for method, path, scope in token_routes():
        if scope is None or grants([held], scope):
            continue
        response = await call(api, method, path, token)
        assert response.status_code == 403, (held, method, path, response.text)
        assert response.json() == {"error": "This action is outside the authorized scopes"}
        refused += 1
    assert refused >= 10


async def test_a1_read_token_posts_nothing_and_read_statuses_reads_no_notifications(
    api: Api,
) -> None:
    read, _ = await token_of(api, "alice", "read")
    assert (await call(api, "POST", "/api/v1/statuses", read)).status_code == 403
    narrow, _ = await token_of(api, "alice", "read:statuses")
    assert (await call(api, "GET", "/api/v1/timelines/home", narrow)).status_code == 200
    assert (await call(api, "GET", "/api/v1/notifications", narrow)).status_code == 403


# --- A2, A3 -------------------------------------------------------------------------------------


async def test_a2_members_get_no_admin_scope_whatever_they_ask(api: Api) -> None:
    _, granted = await token_of(api, "alice", "read admin:read admin:write:reports")
    assert granted == "read"
    await add_member(api.context, "root_admin", "admin-password", "admin")
    _, staff = await token_of(api, "root_admin", "read admin:read")
    assert staff == "read admin:read"


async def test_a3_plain_pkce_is_refused_and_only_s256_advertised(api: Api) -> None:
    registered = (
        await api.http.post("/api/v1/apps", data={"client_name": "t", "redirect_uris": REDIRECT})
    ).json()
    query = {"client_id": registered["client_id"], "redirect_uri": REDIRECT,
             "response_type": "code", "code_challenge": "abc",
             "code_challenge_method": "plain"}  # fmt: skip
    page = await api.http.get("/oauth/authorize", params=query, headers=BROWSER)
    assert page.status_code == 400 and "S256" in page.text
    metadata = (await api.http.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["code_challenge_methods_supported"] == ["S256"]


# --- A5: dead tokens on every route -------------------------------------------------------------

INVALID = {"error": "The access token is invalid"}
PENDING = {"error": "Your login is currently pending approval"}


async def assert_every_route_answers(api: Api, token: str, status: int, body: Any) -> None:
    for method, path, _ in token_routes():
        response = await call(api, method, path, token)
        assert response.status_code == status, (method, path, response.text)
        assert response.json() == body, (method, path)


async def test_a5_a_suspended_members_tokens_stop_everywhere(api: Api) -> None:
    token, _ = await token_of(api, "alice", "read write follow push")
    await set_suspended(api.context, "alice", True)
    await assert_every_route_answers(api, token, 401, INVALID)


async def test_a5_a_changed_password_ends_every_token(api: Api) -> None:
    token, _ = await token_of(api, "alice", "read write follow push")
    await set_password(api.context, "alice", "a-brand-new-password")
    await assert_every_route_answers(api, token, 401, INVALID)


async def test_a5_pending_and_deleted_sign_ups_have_no_working_token(api: Api) -> None:
    # The conftest instance requires approval: carol's sign-up waits for a moderator.
    await register(api.context, SignUp("carol", "carol@example.org", "carol-password", True))
    token, _ = await token_of(api, "carol", "read write follow push")
    await assert_every_route_answers(api, token, 403, PENDING)
    await reject_member(api.context, "carol")  # deleted, with everything it held
    await assert_every_route_answers(api, token, 401, INVALID)


# --- A6: another member's direct message by guessed id ------------------------------------------


async def test_a6_a_direct_message_between_others_is_404_everywhere(api: Api) -> None:
    await add_member(api.context, "bob", "bob-password")
    await add_member(api.context, "carol", "carol-password")
    secret = await post_status(api.context, "bob", "@carol the meeting moved", "direct")
    alice, _ = await token_of(api, "alice")
    carol, _ = await token_of(api, "carol")
    seen = await call(api, "GET", f"/api/v1/statuses/{secret.id}", carol)
    assert seen.status_code == 200  # it exists, for those it was sent to
    nothing = await call(api, "GET", "/api/v1/statuses/999999999999", alice)
    assert nothing.status_code == 404
    for method, action in (
        ("GET", ""), ("GET", "/context"), ("GET", "/source"), ("GET", "/history"),
        ("GET", "/favourited_by"), ("GET", "/reblogged_by"), ("POST", "/favourite"),
        ("POST", "/unfavourite"), ("POST", "/reblog"), ("POST", "/unreblog"),
        ("POST", "/bookmark"), ("POST", "/unbookmark"), ("POST", "/pin"), ("PUT", ""),
        ("DELETE", ""),
    ):  # fmt: skip
        response = await call(api, method, f"/api/v1/statuses/{secret.id}{action}", alice)
        assert response.status_code == 404, (method, action, response.text)
        assert response.json() == nothing.json(), (method, action)
    anonymous = await api.http.get(f"/api/v1/statuses/{secret.id}")
    assert anonymous.status_code == 404 and anonymous.json() == nothing.json()
    async with api.context.db.read() as conn:
        cursor = await conn.execute("SELECT count(*) FROM statuses WHERE reblog_of_id = ?",
                                    (secret.id,))  # fmt: skip
        row = await cursor.fetchone()
    assert row is not None and row[0] == 0


# --- A8: login throttling -----------------------------------------------------------------------


async def sign_in_from(client: httpx.AsyncClient, username: str, password: str) -> int:
    token = await csrf_from_form(client)
    response = await client.post(
        "/auth/sign_in",
        data={"csrf_token": token, "username": username, "password": password},
        headers=BROWSER | {"Origin": BASE},
    )
    return response.status_code


async def test_a8_26_attempts_from_one_ipv6_64_are_throttled(api: Api) -> None:
    for n in range(25):
        async with api.client_from(f"2001:db8:1:2::{n + 1:x}") as client:
            assert await sign_in_from(client, f"nobody{n}", "wrong-password") == 401
    async with api.client_from("2001:db8:1:2:ffff::9") as client:
        assert await sign_in_from(client, "alice", "alice-password") == 429
    async with api.client_from("2001:db8:1:3::1") as elsewhere:  # another /64
        assert await sign_in_from(elsewhere, "alice", "alice-password") == 303


async def test_a8_26_attempts_on_one_account_from_many_addresses(api: Api) -> None:
    for n in range(25):
        async with api.client_from(f"198.51.100.{n + 1}") as client:
            assert await sign_in_from(client, "Alice", "wrong-password") == 401
    async with api.client_from("203.0.113.7") as client:
        assert await sign_in_from(client, "alice", "alice-password") == 429


async def test_a8_the_password_grant_shares_the_throttle(api: Api) -> None:
    # The password grant is a test-only setting: the same database, served with it on.
    settings = dataclasses.replace(api.context.settings, password_grant=True)
    context = dataclasses.replace(api.context, settings=settings)
    api = Api(context, create_app(settings, context, workers=False), api.http)
    registered = (
        await api.http.post("/api/v1/apps", data={"client_name": "t", "redirect_uris": REDIRECT})
    ).json()
    form = {"grant_type": "password", "client_id": registered["client_id"],
            "client_secret": registered["client_secret"], "username": "alice"}  # fmt: skip
    for n in range(25):
        async with api.client_from(f"192.0.2.{n + 1}") as client:
            wrong = await client.post("/oauth/token", data=form | {"password": "wrong"})
            assert wrong.status_code == 400
    async with api.client_from("192.0.2.200") as client:
        throttled = await client.post("/oauth/token", data=form | {"password": "alice-password"})
    assert throttled.status_code == 429
    assert throttled.json() == {"error": "Too many requests"}
    assert int(throttled.headers["retry-after"]) > 0


# --- A9: web-only actions are not reachable with a bearer token ---------------------------------


async def test_a9_web_forms_refuse_a_bearer_token_without_session_and_csrf(api: Api) -> None:
    token, _ = await token_of(api, "alice", "read write follow push")
    bearer = {"Authorization": f"Bearer {token}"}
    for path, body in (
        ("/auth/sign_out", {"next": "/"}),
        ("/auth/sign_up", {"username": "mallory", "email": "m@example.org",
                           "password": "long-enough", "password_confirmation": "long-enough",
                           "agreement": "1"}),
        ("/oauth/authorize", {"client_id": "x", "redirect_uri": REDIRECT, "authorize": "1"}),
    ):  # fmt: skip
        response = await api.http.post(path, data=body, headers=bearer)
        assert response.status_code == 403, (path, response.text)
    # The API has no password, e-mail, session or account-deletion endpoints to reach instead.
    for method, path in (("POST", "/api/v1/accounts/change_password"),
                         ("DELETE", "/api/v1/accounts"), ("GET", "/api/v1/sessions"),
                         ("POST", "/api/v1/accounts/change_email")):  # fmt: skip
        response = await api.http.request(method, path, headers=bearer)
        assert response.status_code in (404, 405), (method, path)
    with pytest.raises(MemberError, match="no member is called"):
        await get_member(api.context, "mallory")
