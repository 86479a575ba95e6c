"""OAuth and token rules over plain HTTP: scopes checked in one place, admin scopes, PKCE S256,
suspended members and changed passwords, wire-format habits."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from fedi.accounts.members import add_member, get_member, set_password, set_suspended
from fedi.accounts.oauth import app_for, exchange_code, grantable, issue_code
from fedi.context import Context

REDIRECT = "https://app.example/cb"


@pytest.fixture
async def api(client: httpx.AsyncClient, context: Context) -> AsyncIterator[httpx.AsyncClient]:
    await add_member(context, "alice", "alice-password")
    yield client


async def register(
    api: httpx.AsyncClient, scopes: str = "read write follow admin:read"
) -> dict[str, Any]:
    response = await api.post(
        "/api/v1/apps", data={"client_name": "t", "redirect_uris": REDIRECT, "scopes": scopes}
    )
    assert response.status_code == 200, response.text
    app: dict[str, Any] = response.json()
    return app


async def client_token(api: httpx.AsyncClient, app: dict[str, Any]) -> str:
    response = await api.post(
        "/oauth/token",
        json={"grant_type": "client_credentials", "client_id": app["client_id"],
              "client_secret": app["client_secret"], "scope": "read"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def user_token(context: Context, api: httpx.AsyncClient, scope: str) -> tuple[str, str]:
    """A member's token through the authorization-code grant, issued directly."""
    app_json = await register(api)
    app = await app_for(context, app_json["client_id"])
    user = await get_member(context, "alice")
    code = await issue_code(context, app, user, REDIRECT, grantable(app, scope, user), None)
    issued = await exchange_code(context, app, app_json["client_secret"], code, REDIRECT, None)
    return issued.access_token, " ".join(issued.scopes)


async def test_missing_or_bad_token_is_401_json(api: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
        response = await api.get("/api/v1/accounts/verify_credentials", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error": "The access token is invalid"}


async def test_a1_scopes_are_checked_on_every_route(
    context: Context, api: httpx.AsyncClient
) -> None:
    token, _ = await user_token(context, api, "read:statuses")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.get("/api/v1/timelines/home", headers=headers)).status_code == 200
    refused = await api.get("/api/v1/accounts/verify_credentials", headers=headers)
    assert refused.status_code == 403
    post = await api.post("/api/v1/statuses", headers=headers, data={"status": "x"})
    assert post.status_code == 403


async def test_a2_a_member_gets_no_admin_scope(context: Context, api: httpx.AsyncClient) -> None:
    _, granted = await user_token(context, api, "read admin:read")
    assert granted == "read"


async def test_a3_plain_pkce_is_refused(context: Context, api: httpx.AsyncClient) -> None:
    app = await register(api)
    response = await api.get(
        "/oauth/authorize",
        params={"client_id": app["client_id"], "redirect_uri": REDIRECT, "response_type": "code",
                "code_challenge": "abc", "code_challenge_method": "plain"},
        headers={"Accept": "text/html"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "S256" in response.text


async def test_pkce_s256_lets_a_public_client_exchange_without_secret(
    context: Context, api: httpx.AsyncClient
) -> None:
    app_json = await register(api)
    app = await app_for(context, app_json["client_id"])
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    user = await get_member(context, "alice")
    code = await issue_code(context, app, user, REDIRECT, ("read",), challenge.decode())
    wrong = await api.post("/oauth/token", data={
        "grant_type": "authorization_code", "client_id": app_json["client_id"], "code": code,
        "redirect_uri": REDIRECT, "code_verifier": "w" * 50})  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code = await issue_code(context, app, user, REDIRECT, ("read",), challenge.decode())
    right = await api.post("/oauth/token", data={
        "grant_type": "authorization_code", "client_id": app_json["client_id"], "code": code,
        "redirect_uri": REDIRECT, "code_verifier": verifier})  # fmt: skip
    assert right.status_code == 200
    assert set(right.json()) >= {"access_token", "token_type", "scope", "created_at"}
    again = await api.post("/oauth/token", data={
        "grant_type": "authorization_code", "client_id": app_json["client_id"], "code": code,
        "redirect_uri": REDIRECT, "code_verifier": verifier})  # fmt: skip
    assert again.status_code == 400  # a code is good once


async def test_a5_suspension_and_password_change_stop_tokens(
    context: Context, api: httpx.AsyncClient
) -> None:
    token, _ = await user_token(context, api, "read")
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        await api.get("/api/v1/accounts/verify_credentials", headers=headers)
    ).status_code == 200
    await set_suspended(context, "alice", True)
    assert (
        await api.get("/api/v1/accounts/verify_credentials", headers=headers)
    ).status_code == 401
    await set_suspended(context, "alice", False)
    assert (
        await api.get("/api/v1/accounts/verify_credentials", headers=headers)
    ).status_code == 200
    await set_password(context, "alice", "a-new-password")
    assert (
        await api.get("/api/v1/accounts/verify_credentials", headers=headers)
    ).status_code == 401


async def test_the_password_grant_is_off_unless_enabled(api: httpx.AsyncClient) -> None:
    app = await register(api)
    form = {"grant_type": "password", "client_id": app["client_id"],
            "client_secret": app["client_secret"], "username": "alice",
            "password": "alice-password"}  # fmt: skip
    response = await api.post("/oauth/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    metadata = (await api.get("/.well-known/oauth-authorization-server")).json()
    assert "password" not in metadata["grant_types_supported"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]


async def test_app_tokens_and_revocation(api: httpx.AsyncClient) -> None:
    app = await register(api)
    token = await client_token(api, app)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.get("/api/v1/apps/verify_credentials", headers=headers)).status_code == 200
    # An app-only token is no member.
    assert (await api.get("/api/v1/timelines/home", headers=headers)).status_code == 422
    form = {"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token}
    revoked = await api.post("/oauth/revoke", data=form)
    assert revoked.status_code == 200
    assert (await api.get("/api/v1/apps/verify_credentials", headers=headers)).status_code == 401


async def test_wire_format(api: httpx.AsyncClient) -> None:
    for path in ("/api/v1/instance", "/api/v1/instance/", "/api/v2/instance/"):
        response = await api.get(path)
        assert response.status_code == 200, path
        assert response.headers["access-control-allow-origin"] == "*"
    missing = await api.get("/api/v1/not_a_thing")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    bad_json = await api.post(
        "/api/v1/apps", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400 and "error" in bad_json.json()
    bad_scope = await api.post("/api/v1/apps", json={"client_name": "x", "redirect_uris": REDIRECT,
                                                    "scopes": "read everything"})  # fmt: skip
    assert bad_scope.status_code == 422
