"""A member's posting defaults (source[privacy], source[sensitive], source[language]) set from an
app, shown in the credentials and preferences, and applied when a post does not say."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.api.clients import logged_in
from tests.api.conftest import Served


async def test_defaults_round_trip_and_apply_to_new_posts(served: Served) -> None:
    def run() -> tuple[Any, Any, Any, Any, Any]:
        with logged_in(served.base) as client:
            updated = client.account_update_credentials(
                default_privacy="private", default_sensitive=True, default_language="fr"
            )
            prefs = client.preferences()
            quiet = client.status_post("for my followers")
            loud = client.status_post("for everyone", visibility="public", language="de")
            again = client.account_verify_credentials()
            return updated, prefs, quiet, loud, again

    updated, prefs, quiet, loud, again = await asyncio.to_thread(run)
    assert updated["source"]["privacy"] == "private"
    assert updated["source"]["sensitive"] is True
    assert updated["source"]["language"] == "fr"
    assert prefs["posting:default:visibility"] == "private"
    assert prefs["posting:default:sensitive"] is True
    assert prefs["posting:default:language"] == "fr"
    assert quiet["visibility"] == "private" and quiet["language"] == "fr"
    assert loud["visibility"] == "public" and loud["language"] == "de"
    assert again["source"]["privacy"] == "private"


async def test_bad_defaults_are_refused_and_nothing_changes(served: Served) -> None:
    def run() -> tuple[str, list[int], Any]:
        with logged_in(served.base) as client:
            token = client.access_token
        headers = {"Authorization": f"Bearer {token}"}
        codes = []
        with httpx.Client(base_url=served.base, headers=headers) as http:
            for body in (
                {"source": {"privacy": "direct"}},
                {"source": {"privacy": "everyone"}},
                {"source": {"language": "french!"}},
                {"source": {"language": "x" * 100_000}},
            ):
                answer = http.patch("/api/v1/accounts/update_credentials", json=body)
                assert "error" in answer.json()
                codes.append(answer.status_code)
            form = http.patch(
                "/api/v1/accounts/update_credentials", data={"source[privacy]": "unlisted"}
            )
            prefs = http.get("/api/v1/preferences").json()
        return form.json()["source"]["privacy"], codes, prefs

    privacy, codes, prefs = await asyncio.to_thread(run)
    assert codes == [422, 422, 422, 422]
    assert privacy == "unlisted"
    assert prefs["posting:default:visibility"] == "unlisted"
    assert prefs["posting:default:language"] is None
