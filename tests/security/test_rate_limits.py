"""Rate limits as Mastodon's Rack::Attack (security.md "Limits Mastodon enforces"), set low through
Settings: each limit answers 429 at the right count with X-RateLimit-* and Retry-After, per token,
per member, per address (IPv6 per /64), per claimed remote domain for inboxes (before any key is
fetched), and a real client (Mastodon.py) sees MastodonRatelimitError."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from mastodon import Mastodon, MastodonRatelimitError
from starlette.applications import Starlette

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import ConfigError, Settings, load_settings
from tests.conftest import BASE
from tests.testrig import pictures
from tests.testrig.fake_remote import RemoteActor
from tests.testrig.rig import INBOX, Rig, create, note
from tests.testrig.serving import BackgroundServer, free_port
from tests.web.test_signin import sign_in


def low(settings: Settings, **changes: Any) -> Settings:
    """The settings with low limits (and `changes`)."""
    return dataclasses.replace(
        settings, rate_limit_api=5, rate_limit_paging=3, rate_limit_media=2,
        rate_limit_deletes=2, rate_limit_sign_ups=2, rate_limit_sign_in=3,
        rate_limit_inbox_domain=3, rate_limit_inbox_address=6, **changes,
    )  # fmt: skip


@dataclasses.dataclass
class Limited:
    context: Context
    app: Starlette

    def client_from(self, address: str = "192.0.2.10") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url=BASE)

    async def token(self, username: str = "alice", scope: str = "read write") -> dict[str, str]:
        """A bearer for the member, issued from an address of its own (the password grant has
        its own limit, which the tests below do not want to spend)."""
        self.app.state.sign_in_limits.clear()
        async with self.client_from("203.0.113.250") as http:
            app = await http.post(
                "/api/v1/apps",
                data={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                      "scopes": scope},
            )  # fmt: skip
            issued = await http.post(
                "/oauth/token",
                data={"grant_type": "password", "client_id": app.json()["client_id"],
                      "client_secret": app.json()["client_secret"], "username": username,
                      "password": f"{username}-password", "scope": scope},
            )  # fmt: skip
        assert issued.status_code == 200, issued.text
        self.app.state.rate_limits.clear()
        return {"Authorization": f"Bearer {issued.json()['access_token']}"}


@pytest.fixture
async def limited(settings: Settings, context: Context) -> AsyncIterator[Limited]:
    lowered = low(settings, password_grant=True, registrations="open")
    context = dataclasses.replace(context, settings=lowered)
    await add_member(context, "alice", "alice-password")
    yield Limited(context, create_app(lowered, context, workers=False))


async def verify(http: httpx.AsyncClient, bearer: dict[str, str]) -> httpx.Response:
    return await http.get("/api/v1/accounts/verify_credentials", headers=bearer)


def assert_throttled(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json() == {"error": "Too many requests"}
    assert_limit_headers(response, limit, 0)
    assert int(response.headers["retry-after"]) > 0


def assert_limit_headers(response: httpx.Response, limit: int, remaining: int) -> None:
    assert response.headers["x-ratelimit-limit"] == str(limit)
    assert response.headers["x-ratelimit-remaining"] == str(remaining)
    reset = datetime.fromisoformat(response.headers["x-ratelimit-reset"])
    assert response.headers["x-ratelimit-reset"].endswith("Z")  # as Mastodon writes it
    assert datetime.now(UTC) < reset


# --- the client API ------------------------------------------------------------------------------


async def test_api_is_limited_per_token_with_headers_on_every_answer(limited: Limited) -> None:
    first, second = await limited.token(), await limited.token()
    async with limited.client_from() as http:
        for n in range(5):
            ok = await http.get("/api/v1/accounts/verify_credentials", headers=first)
            assert ok.status_code == 200
            assert_limit_headers(ok, 5, 4 - n)  # what apps such as Tusky read
        assert_throttled(await http.get("/api/v1/accounts/verify_credentials", headers=first), 5)
        # Another token of the same member, from the same address, has its own budget.
        other = await http.get("/api/v1/accounts/verify_credentials", headers=second)
        assert other.status_code == 200
        assert_limit_headers(other, 5, 4)
        # The refused request never reached the application: still throttled, whatever path.
        assert (await http.get("/api/v1/timelines/home", headers=first)).status_code == 429


async def test_all_tokens_of_one_member_share_the_member_limit(limited: Limited) -> None:
    tokens = [await limited.token() for _ in range(3)]
    limited.app.state.rate_limits.api_member.limit = 6
    async with limited.client_from() as http:
        for bearer, times in ((tokens[0], 4), (tokens[1], 2)):
            for _ in range(times):
                assert (await verify(http, bearer)).status_code == 200
        assert_throttled(await verify(http, tokens[1]), 6)
        assert_throttled(await verify(http, tokens[0]), 6)
        # A token's first answer is what tells whose it is; from then on it shares the limit.
        assert (await verify(http, tokens[2])).status_code == 200
        assert_throttled(await verify(http, tokens[2]), 6)


async def test_unauthenticated_api_is_limited_per_address_and_ipv6_per_64(
    limited: Limited,
) -> None:
    for n in range(5):
        async with limited.client_from(f"2001:db8:1:2::{n + 1:x}") as http:
            ok = await http.get("/api/v1/instance")
            assert ok.status_code == 200
            assert_limit_headers(ok, 5, 4 - n)
    async with limited.client_from("2001:db8:1:2:ffff::9") as same_64:
        assert_throttled(await same_64.get("/api/v1/timelines/public"), 5)
    async with limited.client_from("2001:db8:1:3::1") as other_64:
        assert (await other_64.get("/api/v1/instance")).status_code == 200
    async with limited.client_from("198.51.100.1") as v4:
        assert (await v4.get("/api/v1/instance")).status_code == 200


async def test_made_up_tokens_count_against_the_address(limited: Limited) -> None:
    good = await limited.token()
    async with limited.client_from() as http:
        assert (await verify(http, good)).status_code == 200
        for n in range(4):
            bogus = {"Authorization": f"Bearer made-up-{n}"}
            assert (await http.get("/api/v1/timelines/home", headers=bogus)).status_code == 401
        refused = await http.get("/api/v1/timelines/home", headers={"Authorization": "Bearer x"})
        assert_throttled(refused, 5)
        # A token the server accepted keeps its own budget on the same address.
        assert (await verify(http, good)).status_code == 200


async def test_media_uploads_are_limited(limited: Limited) -> None:
    alice = await limited.token()
    async with limited.client_from() as http:
        for _ in range(2):
            upload = await http.post(
                "/api/v2/media", headers=alice,
                files={"file": ("a.png", pictures.png_with_text((20, 10)), "image/png")},
            )  # fmt: skip
            assert upload.status_code in (200, 202), upload.text
        refused = await http.post(
            "/api/v2/media", headers=alice,
            files={"file": ("a.png", pictures.png_with_text((20, 10)), "image/png")},
        )  # fmt: skip
        assert_throttled(refused, 2)
        # Reading is still allowed: only uploads spent that budget.
        assert (await verify(http, alice)).status_code == 200


async def test_deletes_and_unreblogs_share_one_limit(limited: Limited) -> None:
    limited.app.state.rate_limits.api_token.limit = 100
    alice = await limited.token()
    async with limited.client_from() as http:
        ids = []
        for n in range(3):
            posted = await http.post("/api/v1/statuses", headers=alice, data={"status": f"p{n}"})
            assert posted.status_code == 200, posted.text
            ids.append(posted.json()["id"])
        assert (await http.post(f"/api/v1/statuses/{ids[0]}/reblog", headers=alice)).is_success
        unreblog = await http.post(f"/api/v1/statuses/{ids[0]}/unreblog", headers=alice)
        assert unreblog.status_code == 200
        assert (await http.delete(f"/api/v1/statuses/{ids[1]}", headers=alice)).status_code == 200
        assert_throttled(await http.delete(f"/api/v1/statuses/{ids[2]}", headers=alice), 2)
        # Nothing was deleted by the refused request.
        assert (await http.get(f"/api/v1/statuses/{ids[2]}", headers=alice)).status_code == 200


async def test_paging_is_limited(limited: Limited) -> None:
    async with limited.client_from() as http:
        for _ in range(3):
            assert (await http.get("/api/v1/timelines/public?max_id=999999")).status_code == 200
        assert_throttled(await http.get("/api/v1/timelines/public?since_id=1"), 3)
        assert (await http.get("/api/v1/timelines/public")).status_code == 200


async def test_a_safelisted_address_is_not_limited(limited: Limited) -> None:
    settings = dataclasses.replace(
        limited.context.settings, rate_limit_safelist=("127.0.0.0/8", "::1/128")
    )
    app = create_app(settings, limited.context, workers=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        for _ in range(8):
            assert (await http.get("/api/v1/instance")).status_code == 200


def test_limits_are_read_from_the_environment(tmp_path: Path) -> None:
    env = {"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path)}
    defaults = load_settings(env)
    assert (defaults.rate_limit_api, defaults.rate_limit_media, defaults.rate_limit_sign_ups) == (
        300, 30, 5,
    )  # fmt: skip
    assert defaults.rate_limit_safelist == ()
    set_ = load_settings(
        env | {"FEDI_RATE_LIMIT_API": "7", "FEDI_RATE_LIMIT_SAFELIST": "127.0.0.1, ::1"}
    )
    assert set_.rate_limit_api == 7
    assert set_.rate_limit_safelist == ("127.0.0.1/32", "::1/128")
    for name, value in (("FEDI_RATE_LIMIT_API", "0"), ("FEDI_RATE_LIMIT_INBOX_DOMAIN", "many"),
                        ("FEDI_RATE_LIMIT_SAFELIST", "localhost")):  # fmt: skip
        with pytest.raises(ConfigError, match=name):
            load_settings(env | {name: value})


# --- signing in and signing up -------------------------------------------------------------------


async def test_sign_up_through_the_api_is_limited(limited: Limited) -> None:
    async with limited.client_from("192.0.2.77") as http:
        app = await http.post(
            "/api/v1/apps",
            data={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                  "scopes": "read write:accounts"},
        )  # fmt: skip
        issued = await http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": app.json()["client_id"],
                  "client_secret": app.json()["client_secret"], "scope": "write:accounts"},
        )  # fmt: skip
        bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        for n in range(2):
            form = {"username": f"new{n}", "email": f"new{n}@example.org",
                    "password": "a long enough password", "agreement": "true"}  # fmt: skip
            made = await http.post("/api/v1/accounts", headers=bearer, data=form)
            assert made.status_code == 200, made.text
            assert_limit_headers(made, 2, 1 - n)
        refused = await http.post("/api/v1/accounts", headers=bearer, data=form)
        assert_throttled(refused, 2)


async def test_the_password_grant_and_the_sign_in_form_answer_429_with_headers(
    limited: Limited,
) -> None:
    async with limited.client_from("192.0.2.88") as http:
        app = await http.post(
            "/api/v1/apps", data={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
        )
        grant = {"grant_type": "password", "client_id": app.json()["client_id"],
                 "client_secret": app.json()["client_secret"], "username": "alice",
                 "password": "wrong"}  # fmt: skip
        for _ in range(3):
            assert (await http.post("/oauth/token", data=grant)).status_code == 400
        assert_throttled(await http.post("/oauth/token", data=grant), 3)
        # The sign-in form shares the budget of the address: a page for people, same headers.
        page = await sign_in(http, "alice", "alice-password")
        assert page.status_code == 429
        assert page.headers["content-type"].startswith("text/html")
        assert_limit_headers(page, 3, 0)
        assert int(page.headers["retry-after"]) > 0


# --- inboxes -------------------------------------------------------------------------------------


@pytest.fixture
async def low_rig(rig: Rig) -> AsyncIterator[Rig]:
    """The rig's instance served by an application with low inbox limits."""
    app = create_app(low(rig.context.settings), rig.context, workers=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("192.0.2.50", 40000)),
        base_url=rig.client.base_url,
    ) as http:
        yield dataclasses.replace(rig, client=http)


async def test_inbox_is_limited_per_claimed_domain_before_any_key_fetch(low_rig: Rig) -> None:
    rig = low_rig
    mallory = rig.evil.actor("mallory")
    for n in range(3):
        response = await rig.post(mallory, create(mallory, note(mallory, n), n))
        assert response.status_code == 202
    fetched = list(rig.evil.requests)
    # A new actor on the same domain, whose key was never fetched: refused before verification.
    eve = rig.evil.actor("eve")
    activity = create(eve, note(eve, 10), 10)
    refused = await rig.post(eve, activity)
    assert_throttled(refused, 3)
    assert rig.evil.requests == fetched  # no key fetched
    assert await rig.stored(activity["id"]) is None  # nothing stored
    # Other domains keep their own budget.
    olivia = rig.other.actor("olivia")
    assert (await rig.post(olivia, create(olivia, note(olivia, 1)))).status_code == 202


async def test_forged_signatures_do_not_spend_the_named_domains_budget(low_rig: Rig) -> None:
    rig = low_rig
    victim = rig.victim.actor("vic")
    forger = rig.evil.actor("forger")
    for n in range(3):
        # Signed with the forger's key but naming the victim's key id: 401, and the victim's
        # domain is not charged for it.
        body = json.dumps(create(victim, note(victim, n), n)).encode()
        headers = RemoteActor(victim.uri, victim.key_id, forger.private_key, {}).sign(
            "POST", INBOX, body
        )
        assert (await rig.client.post(INBOX, content=body, headers=headers)).status_code == 401
    assert (await rig.post(victim, create(victim, note(victim, 7), 7))).status_code == 202


async def test_inbox_is_limited_per_address(low_rig: Rig) -> None:
    rig = low_rig
    actors = [rig.remotes[n].actor(f"a{n}") for n in range(3)]
    for n in range(6):
        actor = actors[n % 3]
        assert (await rig.post(actor, create(actor, note(actor, n), n))).status_code == 202
    late = rig.lemmy.actor("late")
    refused = await rig.post(late, create(late, note(late, 1)))
    assert_throttled(refused, 6)
    assert all("/users/late" not in path for path in rig.lemmy.requests)


# --- a real client -------------------------------------------------------------------------------


@pytest.fixture
async def served_low(tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    settings = load_settings(
        {
            "FEDI_DOMAIN": f"127.0.0.1:{port}",
            "FEDI_SCHEME": "http",
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_PASSWORD_GRANT": "true",
            "FEDI_RATE_LIMIT_API": "5",
        }
    )
    async with open_context(settings) as context:
        await add_member(context, "alice", "alice-password")
        server = BackgroundServer(create_app(settings, context, workers=False), port)
        await server.start()
        try:
            yield settings.base_url
        finally:
            await server.stop()


def throwing_client(base: str, session: requests.Session) -> Iterator[Mastodon]:
    client_id, secret = Mastodon.create_app(
        "fedi tests", api_base_url=base, scopes=["read"], session=session
    )
    client = Mastodon(
        client_id=client_id, client_secret=secret, api_base_url=base, session=session,
        ratelimit_method="throw",
    )  # fmt: skip
    client.log_in("alice", "alice-password", scopes=["read"], allow_http=True)
    yield client


async def test_mastodon_py_sees_the_limit(served_low: str) -> None:
    def run() -> tuple[Any, ...]:
        with requests.Session() as session:
            client = next(throwing_client(served_low, session))
            client.account_verify_credentials()
            seen = (client.ratelimit_limit, client.ratelimit_remaining, client.ratelimit_reset)
            for _ in range(client.ratelimit_remaining):
                client.timeline_home()
            with pytest.raises(MastodonRatelimitError):
                client.timeline_home()
            return seen

    limit, remaining, reset = await asyncio.to_thread(run)
    # Mastodon.py may have asked for the instance's version with the token before.
    assert limit == 5 and 0 < remaining < 5
    assert reset is not None and reset > datetime.now(UTC).timestamp()
