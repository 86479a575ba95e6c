"""Bearer headers for direct HTTP tests against a served instance (password grant, test-only)."""

from __future__ import annotations

import httpx


async def bearer(http: httpx.AsyncClient, username: str, scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await access_token(http, username, scope)}"}


async def access_token(
    http: httpx.AsyncClient, username: str, scope: str, password: str | None = None
) -> str:
    """A token for the member through the password grant (enabled in the test settings);
    the password is USERNAME-password unless given."""
    app = await http.post(
        "/api/v1/apps",
        data={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scope},
    )
    assert app.status_code == 200, app.text
    token = await http.post(
        "/oauth/token",
        data={"grant_type": "password", "client_id": app.json()["client_id"],
              "client_secret": app.json()["client_secret"], "username": username,
              "password": password or f"{username}-password", "scope": scope},
    )  # fmt: skip
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])
