"""Registration through the API (POST /api/v1/accounts) in each registration mode: with
Mastodon.py as an app signs a person up, and over plain HTTP for the wire format, the validation
errors, approval, the throttle and the instance's `registrations` fields."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from mastodon import Mastodon
from starlette.applications import Starlette

from fedi.accounts.members import add_member, approve_member, get_member
from fedi.app import create_app
from fedi.context import open_context
from fedi.core.config import load_settings
from tests.api.conftest import Served
from tests.testrig.serving import BackgroundServer, free_port


@dataclass
class Running(Served):
    app: Starlette


Instance = Callable[[str], AbstractAsyncContextManager[Running]]


@pytest.fixture
def instance(tmp_path: Path) -> Instance:
    """An instance served on loopback in the given registration mode, with alice as a member."""

    @asynccontextmanager
    async def run(mode: str) -> AsyncIterator[Running]:
        port = free_port()
        settings = load_settings(
            {
                "FEDI_DOMAIN": f"127.0.0.1:{port}",
                "FEDI_SCHEME": "http",
                "FEDI_DATA_DIR": str(tmp_path / mode),
                "FEDI_PASSWORD_GRANT": "true",
                "FEDI_REGISTRATIONS": mode,
            }
        )
        async with open_context(settings) as context:
            await add_member(context, "alice", "alice-password")
            app = create_app(settings, context, workers=False)
            server = BackgroundServer(app, port)
            await server.start()
            try:
                yield Running(context, settings.base_url, app)
            finally:
                await server.stop()

    return run


async def app_token(http: httpx.AsyncClient, scopes: str = "read write follow") -> str:
    app = (
        await http.post(
            "/api/v1/apps",
            data={"client_name": "sign-up app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                  "scopes": scopes},
        )
    ).json()  # fmt: skip
    token = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": app["client_id"],
              "client_secret": app["client_secret"], "scope": scopes},
    )  # fmt: skip
    assert token.status_code == 200, token.text
    return str(token.json()["access_token"])


def form(username: str = "carol", **changes: Any) -> dict[str, Any]:
    email = f"{username}@example.org"
    return {"username": username, "email": email, "password": "carol-password",
            "agreement": "true", "locale": "fr"} | changes  # fmt: skip


async def test_an_app_signs_a_person_up_with_mastodon_py(instance: Instance) -> None:
    def run(base: str) -> tuple[Any, Any]:
        with requests.Session() as session:
            client_id, secret = Mastodon.create_app("app", api_base_url=base, session=session)
            client = Mastodon(
                client_id=client_id, client_secret=secret, api_base_url=base, session=session
            )
            client.create_account(
                "carol", "carol-password", "carol@example.org", agreement=True, locale="de"
            )
            me = client.account_verify_credentials()
            posted = client.status_post("My first post")
            return me, posted

    async with instance("open") as served:
        me, posted = await asyncio.to_thread(run, served.base)
        member = await get_member(served.context, "carol")
    assert me["username"] == "carol" and me["acct"] == "carol"
    assert posted["account"]["id"] == me["id"]
    assert member.is_approved and member.role == "member"


async def test_mastodon_py_gets_the_detailed_errors(instance: Instance) -> None:
    def run(base: str) -> Any:
        with requests.Session() as session:
            client_id, secret = Mastodon.create_app("app", api_base_url=base, session=session)
            client = Mastodon(
                client_id=client_id, client_secret=secret, api_base_url=base, session=session
            )
            return client.create_account(
                "Alice", "short", "not-an-address", agreement=False, return_detailed_error=True
            )

    async with instance("open") as served:
        token, error = await asyncio.to_thread(run, served.base)
    assert token is None
    details = error["details"]
    assert details["username"][0]["error"] == "ERR_TAKEN"
    assert details["password"][0]["error"] == "ERR_TOO_SHORT"
    assert details["email"][0]["error"] == "ERR_INVALID"
    assert details["agreement"][0]["error"] == "ERR_ACCEPTED"


async def test_the_token_response_and_its_scopes(instance: Instance) -> None:
    async with instance("open") as served, httpx.AsyncClient(base_url=served.base) as http:
        token = await app_token(http)
        created = await http.post(
            "/api/v1/accounts", json=form(), headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 200, created.text
        body = created.json()
        assert set(body) >= {"access_token", "token_type", "scope", "created_at"}
        assert body["token_type"] == "Bearer" and body["scope"] == "read write follow"
        assert isinstance(body["created_at"], int)
        me = await http.get(
            "/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
        assert me.status_code == 200 and me.json()["username"] == "carol"


async def test_validation_errors_have_mastodons_shape(instance: Instance) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        (form("ALICE"), "username", "ERR_TAKEN"),  # unique without regard to case
        (form("a" * 31), "username", "ERR_TOO_LONG"),
        (form("no-dashes"), "username", "ERR_INVALID"),
        (form("caröl"), "username", "ERR_INVALID"),
        (form("Admin"), "username", "ERR_RESERVED"),
        (form("root"), "username", "ERR_RESERVED"),
        (form(""), "username", "ERR_BLANK"),
        (form(password="1234567"), "password", "ERR_TOO_SHORT"),
        (form(email="carol@"), "email", "ERR_INVALID"),
        (form(email="a b@example.org"), "email", "ERR_INVALID"),
        (form(agreement="false"), "agreement", "ERR_ACCEPTED"),
        ({k: v for k, v in form().items() if k != "agreement"}, "agreement", "ERR_ACCEPTED"),
        (form(locale="<script>"), "locale", "ERR_INCLUSION"),
        (form(reason="x" * 421), "reason", "ERR_TOO_LONG"),
    ]
    async with instance("open") as served, httpx.AsyncClient(base_url=served.base) as http:
        # The instance actor's name is reserved too (its handle is the host).
        actor = served.context.instance_actor.username
        cases.append((form(actor), "username", "ERR_INVALID" if "." in actor else "ERR_RESERVED"))
        headers = {"Authorization": f"Bearer {await app_token(http)}"}
        for body, field, code in cases:
            served.app.state.sign_in_limits.sign_ups.reset("127.0.0.1")  # 5 per 30 minutes
            response = await http.post("/api/v1/accounts", json=body, headers=headers)
            assert response.status_code == 422, (body, response.text)
            error = response.json()
            assert error["error"].startswith("Validation failed: "), error
            assert error["details"][field][0]["error"] == code, (body, error)
            assert isinstance(error["details"][field][0]["description"], str)


async def test_an_address_and_its_uniqueness(instance: Instance) -> None:
    async with instance("open") as served, httpx.AsyncClient(base_url=served.base) as http:
        headers = {"Authorization": f"Bearer {await app_token(http)}"}
        first = await http.post("/api/v1/accounts", data=form(), headers=headers)
        assert first.status_code == 200, first.text
        again = await http.post(
            "/api/v1/accounts", data=form("dave", email="CAROL@example.org"), headers=headers
        )
        assert again.status_code == 422
        assert again.json()["details"] == {
            "email": [{"error": "ERR_TAKEN", "description": "has already been taken"}]
        }
        assert again.json()["error"] == "Validation failed: Email has already been taken"


async def test_tokens_and_bodies_that_are_refused(instance: Instance) -> None:
    async with instance("open") as served, httpx.AsyncClient(base_url=served.base) as http:
        limits = served.app.state.sign_in_limits.sign_ups
        assert (await http.post("/api/v1/accounts", data=form())).status_code == 401
        bad = {"Authorization": "Bearer nonsense"}
        assert (await http.post("/api/v1/accounts", data=form(), headers=bad)).status_code == 401
        read_only = {"Authorization": f"Bearer {await app_token(http, 'read')}"}
        refused = await http.post("/api/v1/accounts", data=form(), headers=read_only)
        assert refused.status_code == 403
        limits.reset("127.0.0.1")
        headers = {"Authorization": f"Bearer {await app_token(http)}"}
        broken = await http.post(
            "/api/v1/accounts", content=b"{", headers=headers | {"Content-Type": "application/json"}
        )
        assert broken.status_code == 400 and "error" in broken.json()
        for body in ({"username": ["carol"]}, {"username": {"a": 1}, "password": 5},
                     {"username": "carol", "email": None, "agreement": [True]}):  # fmt: skip
            odd = await http.post("/api/v1/accounts", json=body, headers=headers)
            assert odd.status_code == 422, odd.text
        limits.reset("127.0.0.1")
        huge = await http.post("/api/v1/accounts", data=form(reason="x" * 100_000), headers=headers)
        assert huge.status_code == 422
        assert "username" not in huge.json()["details"]
        async with served.context.db.read() as conn:
            cursor = await conn.execute("SELECT count(*) FROM users")
            row = await cursor.fetchone()
        assert row is not None and row[0] == 1  # only alice


async def test_closed_registrations_are_403(instance: Instance) -> None:
    async with instance("closed") as served, httpx.AsyncClient(base_url=served.base) as http:
        headers = {"Authorization": f"Bearer {await app_token(http)}"}
        refused = await http.post("/api/v1/accounts", data=form(), headers=headers)
        assert refused.status_code == 403
        assert refused.json() == {"error": "This action is not allowed"}
        v1 = (await http.get("/api/v1/instance")).json()
        v2 = (await http.get("/api/v2/instance")).json()
    assert v1["registrations"] is False and v1["approval_required"] is False
    assert v2["registrations"]["enabled"] is False
    assert v2["registrations"]["approval_required"] is False
    assert "closed" in v2["registrations"]["message"]
    assert v2["registrations"]["url"] is None


@pytest.mark.parametrize("mode", ["open", "approval"])
async def test_instance_registrations_reflect_the_mode(instance: Instance, mode: str) -> None:
    async with instance(mode) as served, httpx.AsyncClient(base_url=served.base) as http:
        v1 = (await http.get("/api/v1/instance")).json()
        v2 = (await http.get("/api/v2/instance/")).json()
    assert v1["registrations"] is True
    assert v1["approval_required"] is (mode == "approval")
    assert v2["registrations"] == {
        "enabled": True, "approval_required": mode == "approval", "message": None, "url": None
    }  # fmt: skip


PENDING = {"error": "Your login is currently pending approval"}


async def test_an_account_awaiting_approval_cannot_use_its_token(instance: Instance) -> None:
    async with instance("approval") as served, httpx.AsyncClient(base_url=served.base) as http:
        headers = {"Authorization": f"Bearer {await app_token(http)}"}
        created = await http.post(
            "/api/v1/accounts", data=form(reason="I work with the network"), headers=headers
        )
        assert created.status_code == 200, created.text
        carol = {"Authorization": f"Bearer {created.json()['access_token']}"}
        for method, path in (("GET", "/api/v1/accounts/verify_credentials"),
                             ("GET", "/api/v1/timelines/home"), ("POST", "/api/v1/statuses"),
                             ("GET", "/api/v1/notifications")):  # fmt: skip
            response = await http.request(method, path, headers=carol, data={"status": "hi"})
            assert response.status_code == 403, (path, response.text)
            assert response.json() == PENDING
        member = await get_member(served.context, "carol")
        assert not member.is_approved
        async with served.context.db.read() as conn:
            cursor = await conn.execute(
                "SELECT email, locale, sign_up_reason FROM users WHERE account_id = ?",
                (member.account.id,),
            )
            stored = await cursor.fetchone()
        assert stored is not None
        assert tuple(stored) == ("carol@example.org", "fr", "I work with the network")
        await approve_member(served.context, "carol")
        me = await http.get("/api/v1/accounts/verify_credentials", headers=carol)
        assert me.status_code == 200 and me.json()["username"] == "carol"


async def test_sign_ups_are_throttled_per_address(instance: Instance) -> None:
    async with instance("open") as served, httpx.AsyncClient(base_url=served.base) as http:
        headers = {"Authorization": f"Bearer {await app_token(http)}"}
        for n in range(5):
            response = await http.post("/api/v1/accounts", data=form(f"user{n}"), headers=headers)
            assert response.status_code == 200, response.text
            assert response.headers["x-ratelimit-limit"] == "5"
            assert response.headers["x-ratelimit-remaining"] == str(4 - n)
        throttled = await http.post("/api/v1/accounts", data=form("user5"), headers=headers)
        assert throttled.status_code == 429
        assert throttled.json() == {"error": "Too many requests"}
        assert throttled.headers["x-ratelimit-limit"] == "5"
        assert throttled.headers["x-ratelimit-remaining"] == "0"
        assert throttled.headers["x-ratelimit-reset"].endswith("Z")
        assert int(throttled.headers["retry-after"]) > 0
        # Failed attempts count too, even without a token (as Mastodon's Rack::Attack does).
        assert (await http.post("/api/v1/accounts", data=form("user6"))).status_code == 429


async def test_an_account_awaiting_approval_does_not_exist_to_others(instance: Instance) -> None:
    """Until approved, nobody can find the sign-up: not WebFinger, not its actor or inbox,
    not the API; once approved, all of them answer."""
    async with instance("approval") as served, httpx.AsyncClient(base_url=served.base) as http:
        headers = {"Authorization": f"Bearer {await app_token(http)}"}
        created = await http.post("/api/v1/accounts", data=form(), headers=headers)
        assert created.status_code == 200, created.text
        host = served.base.split("://", 1)[1]
        activity = {"Accept": "application/activity+json"}

        async def answers() -> list[int]:
            return [
                (await http.get(f"/.well-known/webfinger?resource=acct:carol@{host}")).status_code,
                (await http.get("/users/carol", headers=activity)).status_code,
                (await http.get("/api/v1/accounts/lookup", params={"acct": "carol"})).status_code,
                (await http.post("/users/carol/inbox", content=b"{}")).status_code,
            ]

        assert await answers() == [404, 404, 404, 404]
        await approve_member(served.context, "carol")
        webfinger, actor, lookup, inbox = await answers()
        assert (webfinger, actor, lookup) == (200, 200, 200)
        assert inbox in (400, 401)  # it exists now: an unsigned, empty POST is refused
