"""inbox.front: every inbox POST gets the answer the middlewares and the router gave it, refusals
included. Each test runs twice, through the front and through the application's stack alone (the
front stepped aside), with the same expectations; activities are stored exactly once."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from fedi.app import create_app
from fedi.db.domain_rules import BlockFields
from fedi.moderation.domain_rules import allow_domain, block_domain, set_allowlist_mode
from inbox import front
from inbox.routes import MAX_BODY
from tests.testrig.rig import BASE, INBOX, Rig, create, note

SHARED_INBOX = f"{BASE}/inbox"


@dataclasses.dataclass
class Inbox:
    rig: Rig
    through_front: bool
    scopes: list[MutableMapping[str, Any]]

    def routed(self) -> bool:
        """Whether the last request reached the router (which names the endpoint it chose)."""
        return "endpoint" in self.scopes[-1]


@pytest.fixture(params=["front", "stack"])
async def inbox(
    request: pytest.FixtureRequest, rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Inbox]:
    through_front = request.param == "front"
    if not through_front:
        monkeypatch.setattr(front, "INBOX_ROUTE", re.compile(r"(?!)"))  # matches nothing
    settings = dataclasses.replace(
        rig.context.settings, rate_limit_inbox_domain=3, rate_limit_inbox_address=50
    )
    app = create_app(settings, rig.context, workers=False)
    scopes: list[MutableMapping[str, Any]] = []

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)
        await app(scope, receive, send)

    transport = httpx.ASGITransport(app=recording, client=("192.0.2.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield Inbox(dataclasses.replace(rig, client=http), through_front, scopes)


def refused(response: httpx.Response, status: int, error: str) -> None:
    assert (response.status_code, response.json()) == (status, {"error": error})


async def test_a_signed_activity_is_stored_once_and_answered_202(inbox: Inbox) -> None:
    rig = inbox.rig
    mallory = rig.evil.actor("mallory")
    activity = create(mallory, note(mallory))
    first = await rig.post(mallory, activity)
    assert inbox.routed() is not inbox.through_front
    again = await rig.post(mallory, activity)  # a replay: stored once
    shared = await rig.post(mallory, activity, url=SHARED_INBOX)
    assert [r.status_code for r in (first, again, shared)] == [202, 202, 202]
    assert first.content == b"" and first.headers["content-length"] == "0"
    assert await rig.process() == 1
    assert await rig.stored(activity["id"]) == ("done", None)


async def test_an_oversized_body_is_refused_413(inbox: Inbox) -> None:
    rig = inbox.rig
    mallory = rig.evil.actor("mallory")
    body = b'{"pad": "' + b"x" * MAX_BODY + b'"}'
    response = await rig.post(mallory, {}, body=body)
    refused(response, 413, f"the body is larger than {MAX_BODY} bytes")
    assert rig.fetches() == []


async def test_a_body_changed_after_signing_is_refused_401(inbox: Inbox) -> None:
    rig = inbox.rig
    mallory = rig.evil.actor("mallory")
    activity = create(mallory, note(mallory))
    signed = mallory.sign("POST", INBOX, json.dumps(activity).encode())
    tampered = json.dumps(create(mallory, note(mallory, content="<p>changed</p>"))).encode()
    response = await rig.client.post(INBOX, content=tampered, headers=signed)
    refused(response, 401, "Digest does not match the body")
    assert await rig.stored(activity["id"]) is None


async def test_a_bad_or_missing_signature_is_refused_401(inbox: Inbox) -> None:
    rig = inbox.rig
    mallory = rig.evil.actor("mallory")
    activity = create(mallory, note(mallory))
    body = json.dumps(activity).encode()
    signed = mallory.sign("POST", INBOX, body)
    signed["Signature"] = re.sub(r'signature="[^"]{8}', 'signature="AAAAAAAA', signed["Signature"])
    forged = await rig.client.post(INBOX, content=body, headers=signed)
    refused(forged, 401, "signature does not verify")
    unsigned = await rig.client.post(INBOX, content=body)
    refused(unsigned, 401, "no signature")
    assert await rig.stored(activity["id"]) is None


async def test_a_malformed_activity_is_refused_400(inbox: Inbox) -> None:
    rig = inbox.rig
    mallory = rig.evil.actor("mallory")
    refused(await rig.post(mallory, {}, body=b"[1]"), 400, "the document is not a JSON object")
    elsewhere = {**create(mallory, note(mallory)), "id": "https://other.test/activities/1"}
    refused(await rig.post(mallory, elsewhere), 400, "the activity id is not on the actor's host")


async def test_a_suspended_domain_is_refused_403_before_any_fetch(inbox: Inbox) -> None:
    rig = inbox.rig
    await block_domain(rig.context, None, "evil.test", BlockFields(severity="suspend"))
    mallory = rig.evil.actor("mallory")
    activity = create(mallory, note(mallory))
    refused(await rig.post(mallory, activity), 403, "forbidden")
    assert rig.fetches() == [] and await rig.stored(activity["id"]) is None


async def test_limited_federation_refuses_servers_off_the_allowlist(inbox: Inbox) -> None:
    rig = inbox.rig
    await set_allowlist_mode(rig.context, None, True)
    await allow_domain(rig.context, None, "other.test")
    mallory = rig.evil.actor("mallory")
    refused(await rig.post(mallory, create(mallory, note(mallory))), 403, "forbidden")
    olivia = rig.other.actor("olivia")
    assert (await rig.post(olivia, create(olivia, note(olivia)))).status_code == 202
    assert all("mallory" not in path for path in rig.fetches())


async def test_the_claimed_domain_is_rate_limited(inbox: Inbox) -> None:
    rig = inbox.rig
    mallory = rig.evil.actor("mallory")
    for n in range(3):
        assert (await rig.post(mallory, create(mallory, note(mallory, n), n))).status_code == 202
    late = create(mallory, note(mallory, 9), 9)
    response = await rig.post(mallory, late)
    refused(response, 429, "Too many requests")
    assert response.headers["x-ratelimit-limit"] == "3" and "retry-after" in response.headers
    assert await rig.stored(late["id"]) is None


async def test_an_unknown_inbox_is_404_and_other_requests_left_to_the_router(
    inbox: Inbox,
) -> None:
    rig = inbox.rig
    mallory = rig.evil.actor("mallory")
    activity = create(mallory, note(mallory))
    missing = await rig.post(mallory, activity, url=f"{BASE}/users/nobody/inbox")
    refused(missing, 404, "no such inbox")
    assert rig.fetches() == [] and await rig.stored(activity["id"]) is None
    assert (await rig.client.get("/inbox")).status_code == 405
    slash = await rig.client.post("/users/alice/inbox/")
    assert (slash.status_code, slash.headers["location"]) == (307, INBOX)
