"""POST/GET/PUT/DELETE /api/v1/push/subscription as apps call it (Mastodon.py among them): one
subscription per token, the push scope, the VAPID key in all three places, and refused input
answered 422 (an endpoint that is not https or not public, keys of the wrong shape)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from fedi.push.encryption import decode_b64
from fedi.push.vapid import vapid_key
from tests.api.clients import logged_in
from tests.push.conftest import PushRig

PUSH_SCOPES = ["read", "write", "follow", "push"]
PATH = "/api/v1/push/subscription"


async def test_mastodon_py_sets_reads_updates_and_deletes_its_subscription(rig: PushRig) -> None:
    endpoint = rig.service.endpoint("phone")

    def run() -> tuple[Any, Any, Any, Any]:
        with logged_in(rig.base, PUSH_SCOPES) as client:
            _, public = client.push_subscription_generate_keys()
            made = client.push_subscription_set(
                endpoint, public, mention_events=True, follow_events=False,
                admin_sign_up_events=True, policy="followed",
            )  # fmt: skip
            read = client.push_subscription()
            changed = client.push_subscription_update(follow_events=True, mention_events=True)
            client.push_subscription_delete()
            with pytest.raises(MastodonNotFoundError):
                client.push_subscription()
            return made, read, changed, public

    made, read, changed, public = await asyncio.to_thread(run)
    key = (await vapid_key(rig.context)).public_key
    assert made["endpoint"] == endpoint and made["server_key"] == key
    assert made["alerts"]["mention"] is True and made["alerts"]["follow"] is False
    assert made["alerts"]["admin.sign_up"] is True and made["alerts"]["favourite"] is False
    assert made["policy"] == "followed" and made["standard"] is False
    assert read == made
    # PUT replaces the alerts and the policy, as Mastodon's does; the keys stay.
    assert changed["id"] == made["id"]
    assert changed["alerts"]["follow"] is True and changed["alerts"]["admin.sign_up"] is False
    assert changed["policy"] == "all"
    assert public["pubkey"][0] == 4


async def test_the_vapid_key_is_in_the_instance_the_app_and_the_subscription(
    rig: PushRig,
) -> None:
    key = (await vapid_key(rig.context)).public_key
    point = decode_b64(key)
    assert len(point) == 65 and point[0] == 4
    v2 = await rig.call(None, "GET", "/api/v2/instance")
    assert v2.json()["configuration"]["vapid"]["public_key"] == key
    app = await rig.call(None, "POST", "/api/v1/apps", client_name="x",
                         redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="push")  # fmt: skip
    assert app.json()["vapid_key"] == key
    token = await rig.token()
    made = await rig.subscribe(token, "phone", standard=True)
    assert made.status_code == 200, made.text
    assert made.json()["server_key"] == key and made.json()["standard"] is True
    # Made once and kept: the same key after the process-wide memo is gone.
    async with rig.context.db.read() as conn:
        cursor = await conn.execute("SELECT public_key FROM vapid_keys")
        assert [row[0] for row in await cursor.fetchall()] == [key]


async def test_every_route_needs_the_push_scope_and_a_subscription(rig: PushRig) -> None:
    without = await rig.token(scope="read write follow")
    for method in ("GET", "POST", "PUT", "DELETE"):
        answer = await rig.call(without, method, PATH)
        assert answer.status_code == 403, (method, answer.text)
        assert (await rig.call(None, method, PATH)).status_code == 401
    token = await rig.token()
    for method in ("GET", "PUT"):
        missing = await rig.call(token, method, PATH)
        assert missing.status_code == 404 and "error" in missing.json()
    assert (await rig.call(token, "DELETE", PATH)).status_code == 200


async def test_one_subscription_per_token_and_each_token_its_own(rig: PushRig) -> None:
    first, second = await rig.token(), await rig.token()
    assert (await rig.subscribe(first, "old-phone")).status_code == 200
    assert (await rig.subscribe(first, "new-phone")).status_code == 200
    assert (await rig.subscribe(second, "tablet")).status_code == 200
    shown = (await rig.call(first, "GET", PATH)).json()
    assert shown["endpoint"] == rig.service.endpoint("new-phone")
    assert (await rig.call(second, "GET", PATH)).json()["endpoint"].endswith("/tablet")
    async with rig.context.db.read() as conn:
        cursor = await conn.execute("SELECT count(*) FROM push_subscriptions")
        assert (await cursor.fetchone())[0] == 2  # type: ignore[index]
    # Bob's token sees Bob's subscription only (none), never Alice's.
    bob = await rig.token("bob")
    assert (await rig.call(bob, "GET", PATH)).status_code == 404


async def test_a_revoked_token_takes_its_subscription_with_it(rig: PushRig) -> None:
    endpoint = rig.service.endpoint("phone")

    def run() -> None:
        with logged_in(rig.base, PUSH_SCOPES) as client:
            _, public = client.push_subscription_generate_keys()
            client.push_subscription_set(endpoint, public, mention_events=True)
            client.revoke_access_token(allow_http=True)

    await asyncio.to_thread(run)
    async with rig.context.db.read() as conn:
        cursor = await conn.execute("SELECT count(*) FROM push_subscriptions")
        assert (await cursor.fetchone())[0] == 0  # type: ignore[index]


def form(endpoint: str, p256dh: str, auth: str, **extra: str) -> dict[str, str]:
    return {"subscription[endpoint]": endpoint, "subscription[keys][p256dh]": p256dh,
            "subscription[keys][auth]": auth, "data[alerts][mention]": "true"} | extra  # fmt: skip


async def test_form_bodies_and_lenient_base64_are_accepted(rig: PushRig) -> None:
    token = await rig.token()
    phone = rig.service.device("phone")
    unpadded = base64.urlsafe_b64encode(phone.public_bytes).decode().rstrip("=")
    answer = await rig.call(token, "POST", PATH, **form(
        rig.service.endpoint("phone"), unpadded, base64.b64encode(phone.auth).decode(),
        **{"subscription[standard]": "true", "data[policy]": "follower",
           "data[alerts][admin.report]": "1"},
    ))  # fmt: skip
    assert answer.status_code == 200, answer.text
    made = answer.json()
    assert made["standard"] is True and made["policy"] == "follower"
    assert made["alerts"]["mention"] and made["alerts"]["admin.report"]
    assert set(made) == {"id", "endpoint", "standard", "alerts", "policy", "server_key"}


@pytest.mark.parametrize(
    ("endpoint", "p256dh", "auth", "extra", "field"),
    [
        ("http://push.test/push/phone", None, None, {}, "endpoint"),  # not https
        ("https://internal.test/push", None, None, {}, "endpoint"),  # resolves to 10.0.0.1
        ("https://10.0.0.1/push", None, None, {}, "endpoint"),
        ("https://127.0.0.1\r\nX: y/push", None, None, {}, "endpoint"),
        ("", None, None, {}, "endpoint"),
        (None, "BAAA", None, {}, "keys"),  # too short
        (None, base64.b64encode(b"\x04" + b"\x01" * 64).decode(), None, {}, "keys"),  # no point
        (None, None, base64.b64encode(b"x" * 15).decode(), {}, "keys"),
        (None, None, "not base64!", {}, "keys"),
        (None, None, None, {"data[policy]": "friends"}, "policy"),
    ],
)
async def test_bad_input_is_a_422_with_details(
    rig: PushRig, endpoint: str | None, p256dh: str | None, auth: str | None,
    extra: dict[str, str], field: str,
) -> None:  # fmt: skip
    token = await rig.token()
    phone = rig.service.device("phone")
    body = form(
        rig.service.endpoint("phone") if endpoint is None else endpoint,
        phone.p256dh if p256dh is None else p256dh,
        phone.auth_b64 if auth is None else auth, **extra,
    )  # fmt: skip
    answer = await rig.call(token, "POST", PATH, **body)
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["details"]
    assert (await rig.call(token, "GET", PATH)).status_code == 404


async def test_mastodon_py_is_told_of_a_refused_endpoint(rig: PushRig) -> None:
    def run() -> None:
        with logged_in(rig.base, PUSH_SCOPES) as client:
            _, public = client.push_subscription_generate_keys()
            with pytest.raises(MastodonAPIError):
                client.push_subscription_set("https://internal.test/push", public)

    await asyncio.to_thread(run)
