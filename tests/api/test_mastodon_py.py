"""Mastodon.py, a real client of the API, as an app uses it: register, log in, post, read."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from tests.api.clients import logged_in
from tests.api.conftest import Served


async def test_log_in_and_verify_credentials(served: Served) -> None:
    def run() -> Any:
        with logged_in(served.base) as client:
            return client.account_verify_credentials()

    me = await asyncio.to_thread(run)
    assert me["username"] == "alice"
    assert me["acct"] == "alice"
    assert me["source"]["privacy"] == "public"
    assert me["url"] == f"{served.base}/@alice"
    assert me["avatar"].startswith("http://")


async def test_post_read_and_delete_a_status(served: Served) -> None:
    def run() -> tuple[Any, Any, Any, Any, Any]:
        with logged_in(served.base) as client:
            posted = client.status_post(
                "Hello from an app", visibility="unlisted", spoiler_text="cw"
            )
            fetched = client.status(posted["id"])
            home = client.timeline_home()
            public = client.timeline_public()
            deleted = client.status_delete(posted["id"])
            return posted, fetched, home, public, deleted

    posted, fetched, home, public, deleted = await asyncio.to_thread(run)
    assert posted["content"] == "<p>Hello from an app</p>"
    assert posted["visibility"] == "unlisted"
    assert posted["spoiler_text"] == "cw"
    assert fetched["id"] == posted["id"]
    assert [s["id"] for s in home] == [posted["id"]]
    assert public == []  # unlisted posts stay off the public timeline
    assert deleted["text"] == "Hello from an app"

    def gone() -> None:
        with logged_in(served.base) as client:
            client.status(posted["id"])

    with pytest.raises(MastodonNotFoundError):
        await asyncio.to_thread(gone)


async def test_instance_information(served: Served) -> None:
    def run() -> Any:
        with requests.Session() as session:
            return Mastodon(api_base_url=served.base, session=session).instance()

    info = await asyncio.to_thread(run)
    assert info["version"].startswith("4.3.0 (compatible; fedi ")
    assert info["configuration"]["statuses"]["max_characters"] == 500
    assert info["registrations"]["enabled"] is True


async def test_authorization_code_flow_through_the_consent_page(served: Served) -> None:
    session = requests.Session()

    def register() -> tuple[Mastodon, str]:
        client_id, secret = Mastodon.create_app(
            "code app", session=session, api_base_url=served.base, scopes=["read"],
            redirect_uris="https://app.example/callback",
        )  # fmt: skip
        client = Mastodon(
            client_id=client_id, client_secret=secret, api_base_url=served.base, session=session
        )
        url = client.auth_request_url(
            redirect_uris="https://app.example/callback", scopes=["read"], state="xyz",
            allow_http=True,
        )  # fmt: skip
        return client, url

    client, url = await asyncio.to_thread(register)
    async with httpx.AsyncClient(base_url=served.base) as browser:
        page = await browser.get(url.removeprefix(served.base))
        assert page.status_code == 303  # not signed in: to the sign-in page, and back
        sign_in = await browser.get(page.headers["location"])
        token = re.search(r'name="csrf_token" value="([^"]+)"', sign_in.text)
        next_path = re.search(r'name="next" value="([^"]+)"', sign_in.text)
        assert token and next_path
        signed = await browser.post(
            "/auth/sign_in",
            data={"csrf_token": token[1], "username": "alice", "password": "alice-password",
                  "next": next_path[1].replace("&amp;", "&")},
        )  # fmt: skip
        consent = await browser.get(signed.headers["location"])
        assert "fedi" in consent.text and "code app" in consent.text
        fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', consent.text))
        fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
        fields["authorize"] = "1"
        answer = await browser.post("/oauth/authorize", data=fields)
    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["xyz"]

    def log_in() -> Any:
        client.log_in(
            code=query["code"][0], redirect_uri="https://app.example/callback", scopes=["read"],
            allow_http=True,
        )  # fmt: skip
        return client.account_verify_credentials()

    try:
        assert (await asyncio.to_thread(log_in))["username"] == "alice"
    finally:
        session.close()


async def test_a_read_token_cannot_post(served: Served) -> None:
    def run() -> None:
        with logged_in(served.base, ["read"]) as client:
            client.status_post("nope")

    with pytest.raises(MastodonAPIError, match="outside the authorized scopes"):
        await asyncio.to_thread(run)


async def test_profile_edit_and_post_edit(served: Served) -> None:
    def run() -> tuple[Any, Any, Any, Any]:
        with logged_in(served.base) as client:
            me = client.account_update_credentials(
                display_name="Alice A.", note="Lawyer, #rights", locked=True,
                fields=[("Site", "https://alice.example"), ("Langs", "fr, ar")],
            )  # fmt: skip
            posted = client.status_post("First version")
            edited = client.status_update(posted["id"], "Second version")
            return (
                me,
                edited,
                client.status_source(posted["id"]),
                client.status_history(posted["id"]),
            )

    me, edited, source, history = await asyncio.to_thread(run)
    assert me["display_name"] == "Alice A."
    assert me["locked"] is True
    assert me["source"]["note"] == "Lawyer, #rights"
    assert [f["name"] for f in me["fields"]] == ["Site", "Langs"]
    assert edited["content"] == "<p>Second version</p>" and edited["edited_at"]
    assert source["text"] == "Second version"
    assert [v["content"] for v in history] == ["<p>First version</p>", "<p>Second version</p>"]


async def test_idempotency_key_posts_once(served: Served) -> None:
    def run() -> tuple[Any, Any, Any]:
        with logged_in(served.base) as client:
            first = client.status_post("Only once", idempotency_key="k-1")
            second = client.status_post("Only once", idempotency_key="k-1")
            return first, second, client.timeline_home()

    first, second, home = await asyncio.to_thread(run)
    assert first["id"] == second["id"]
    assert len(home) == 1


async def test_bookmarks_pins_favourites_markers_and_preferences(served: Served) -> None:
    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            posted = client.status_post("Keep this")
            client.status_post("Not pinned")
            client.status_bookmark(posted["id"])
            client.status_pin(posted["id"])
            client.status_favourite(posted["id"])
            seen = client.status(posted["id"])
            result = {
                "seen": seen,
                "bookmarks": client.bookmarks(),
                "favourites": client.favourites(),
                "pinned": client.account_statuses(client.me()["id"], pinned=True),
                "markers": client.markers_set(["home"], [posted["id"]]),
                "read_markers": client.markers_get(["home"]),
                "preferences": client.preferences(),
                "emojis": client.custom_emojis(),
            }
            client.status_unbookmark(posted["id"])
            result["after"] = client.bookmarks()
            return result

    result = await asyncio.to_thread(run)
    assert result["seen"]["bookmarked"] is True and result["seen"]["pinned"] is True
    assert result["seen"]["favourited"] is True and result["seen"]["favourites_count"] == 1
    assert [s["content"] for s in result["bookmarks"]] == ["<p>Keep this</p>"]
    assert len(result["favourites"]) == 1
    assert [s["id"] for s in result["pinned"]] == [result["seen"]["id"]]
    assert result["read_markers"]["home"]["last_read_id"] == str(result["seen"]["id"])
    assert result["preferences"]["posting:default:visibility"] == "public"
    assert result["emojis"] == []
    assert result["after"] == []
