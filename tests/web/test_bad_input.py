"""Hostile or malformed requests get a 4xx with a clear body, never a 500."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.context import Context
from fedi.core.config import Settings
from fedi.statuses.posting import post_status

AP = {"Accept": "application/activity+json"}
BROWSER = {"Accept": "text/html"}
HUGE = "9" * 20
OVERFLOW = str(2**63)


@pytest.fixture
async def alice(context: Context) -> None:
    await add_member(context, "alice", "alice-password")
    await post_status(context, "alice", "hello")


@pytest.mark.parametrize(
    "path",
    [
        f"/users/alice/outbox?page=true&max_id={HUGE}",
        f"/users/alice/outbox?page=true&max_id={OVERFLOW}",
        f"/users/alice/followers?page=true&max_id={OVERFLOW}",
        "/users/alice/outbox?page=true&max_id=-1",
        "/users/alice/outbox?page=true&max_id=1e5",
        f"/users/alice/statuses/{HUGE}",
        f"/users/alice/statuses/{OVERFLOW}",
        "/users/alice/statuses/-1",
        "/users/alice/statuses/%00",
        f"/@alice/{OVERFLOW}",
        f"/@alice?max_id={OVERFLOW}",
        "/users/%00",
        "/users/" + "a" * 5000,
        "/@%F0%9F%92%A9",
        "/.well-known/webfinger?resource=acct:%00@fedi.test",
        "/.well-known/webfinger?resource=acct:alice@fedi.test&resource=x",
        "/.well-known/webfinger?resource=https://fedi.test:99999/users/alice",
        "/.well-known/webfinger?resource=https://[::1/users/alice",
        "/nodeinfo/%2e%2e",
        "/static/../fedi.sqlite3",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/?lang=%00",
        "/?lang=" + "x" * 10000,
    ],
)
async def test_malformed_requests_are_answered_without_a_server_error(
    client: httpx.AsyncClient, alice: None, path: str
) -> None:
    for headers in (AP, BROWSER, {"Accept": "garbage;;;q=x", "Accept-Language": ";;q=,,"}):
        response = await client.get(path, headers=headers)
        assert 400 <= response.status_code < 500 or response.status_code in (200, 302), (
            path,
            response.status_code,
        )
        assert "Traceback" not in response.text


async def test_static_files_cannot_escape_their_directory(client: httpx.AsyncClient) -> None:
    for path in ("/static/../fedi.sqlite3", "/static/%2e%2e/config.py", "/static/..%2fapp.py"):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_an_unexpected_error_is_a_plain_500_page_or_json(
    settings: Settings, context: Context
) -> None:
    async def broken(request: Request) -> Response:
        raise RuntimeError("secret internals")

    app = create_app(settings, context, workers=False)
    app.router.routes.append(Route("/broken", broken))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://fedi.test") as http:
        as_json = await http.get("/broken", headers=AP)
        as_page = await http.get("/broken?lang=fr", headers=BROWSER)
    assert as_json.status_code == 500
    assert as_json.json() == {"error": "internal server error"}
    assert as_page.status_code == 500
    assert "Une erreur s\u2019est produite" in as_page.text
    assert "secret internals" not in as_json.text + as_page.text
