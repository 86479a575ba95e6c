"""New notifications become pushes: encrypted for the app (both encodings), signed with VAPID,
sent once across restarts, filtered by each subscription's alerts and policy, and answered as
push.md says (2xx sent; 404, 410 and other 4xx end the subscription; 413 shrinks once; 408, 429
and 5xx back off, Retry-After honoured, until the 48 h TTL)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from fedi.accounts.members import get_member
from fedi.core.timeutil import utcnow
from fedi.db import push_deliveries
from fedi.push.payload import FULL_SIZE
from fedi.push.worker import PushWorker
from tests.api.clients import logged_in
from tests.push.conftest import PushRig
from tests.testrig.push_service import Device


async def account_id(rig: PushRig, name: str) -> str:
    return str((await get_member(rig.context, name)).account.id)


async def notification_ids(rig: PushRig, token: str) -> list[str]:
    answer = await rig.call(token, "GET", "/api/v1/notifications")
    return [n["id"] for n in answer.json()]


async def states(rig: PushRig, token: str) -> list[str]:
    found = []
    for notification_id in await notification_ids(rig, token):
        async with rig.context.db.read() as conn:
            found += [s for _, s in await push_deliveries.states_of(conn, int(notification_id))]
    return found


@pytest.mark.parametrize("standard", [True, False])
async def test_a_mention_is_pushed_encrypted_signed_and_padded(
    rig: PushRig, standard: bool
) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    assert (await rig.subscribe(alice, "phone", standard=standard)).status_code == 200
    await rig.post(bob, "@alice hello there,\nsee you at five")
    await rig.post(bob, "@alice " + "long " * 80, visibility="unlisted")
    assert await rig.settle() == 2
    assert rig.service.errors == []
    first, second = rig.service.received
    headers = first.headers
    assert headers["content-encoding"] == ("aes128gcm" if standard else "aesgcm")
    assert headers["urgency"] == "normal" and 172000 < int(headers["ttl"]) <= 172800
    assert headers["authorization"].startswith("vapid t=" if standard else "WebPush ")
    assert first.claims["sub"] == "mailto:admin@fedi.test"
    # One fixed length, whatever the text.
    assert len(first.body) == len(second.body) == FULL_SIZE + 16 + (86 if standard else 0)
    payload = first.payload
    assert payload is not None
    assert payload["notification_type"] == "mention"
    assert payload["notification_id"] == (await notification_ids(rig, alice))[-1]
    assert payload["access_token"] == alice and payload["preferred_locale"] == "en"
    assert payload["title"] == "bob mentioned you"
    assert payload["body"] == "@alice hello there, see you at five"
    assert payload["icon"].startswith(rig.base + "/")
    assert second.payload is not None and len(second.payload["body"]) == 140


async def test_each_notification_is_pushed_once_across_restarts(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone")
    await rig.post(bob, "@alice one")
    await rig.settle()
    assert await PushWorker(rig.context).run_once() == 0  # a restarted worker: nothing again
    # A push claimed by a process that then stopped mid-request is not sent a second time.
    await rig.post(bob, "@alice two")
    await rig.context.db.write(
        lambda conn: conn.execute(
            "UPDATE push_deliveries SET state = 'sending' WHERE state = 'queued'"
        )
    )
    restarted = PushWorker(rig.context)
    assert await restarted.recover() == 1
    assert await restarted.run_once() == 0
    assert [p["body"] for p in rig.service.payloads()] == ["@alice one"]
    assert sorted(await states(rig, alice)) == ["failed", "sent"]


async def test_only_the_alerts_chosen_are_pushed(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone", alerts={"follow": True, "favourite": True})
    own = await rig.post(alice, "My post")
    await rig.call(bob, "POST", f"/api/v1/accounts/{await account_id(rig, 'alice')}/follow")
    await rig.call(bob, "POST", f"/api/v1/statuses/{own['id']}/favourite")
    await rig.call(bob, "POST", f"/api/v1/statuses/{own['id']}/reblog")
    await rig.post(bob, "@alice hi")
    await rig.settle()
    assert rig.service.errors == []
    assert [p["notification_type"] for p in rig.service.payloads()] == ["follow", "favourite"]
    assert sorted(await states(rig, alice)) == ["sent", "sent", "skipped", "skipped"]


@pytest.mark.parametrize(
    ("policy", "senders"),
    [("all", ["bob", "carol"]), ("followed", ["bob"]), ("follower", ["carol"]), ("none", [])],
)
async def test_the_policy_chooses_the_senders(
    rig: PushRig, policy: str, senders: list[str]
) -> None:
    alice, bob, carol = await rig.token(), await rig.token("bob"), await rig.token("carol")
    await rig.call(alice, "POST", f"/api/v1/accounts/{await account_id(rig, 'bob')}/follow")
    await rig.call(carol, "POST", f"/api/v1/accounts/{await account_id(rig, 'alice')}/follow")
    await rig.subscribe(alice, "phone", policy=policy)
    await rig.post(bob, "@alice from bob")
    await rig.post(carol, "@alice from carol")
    await rig.settle()
    pushed = [p["title"].split()[0] for p in rig.service.payloads()]
    assert pushed == senders


async def test_a_muted_sender_is_not_pushed(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone")
    await rig.call(alice, "POST", f"/api/v1/accounts/{await account_id(rig, 'bob')}/mute")
    await rig.post(bob, "@alice listen")
    await rig.settle()
    assert rig.service.received == []


@pytest.mark.parametrize("status", [404, 410, 400, 403])
async def test_a_refusing_push_service_ends_the_subscription(rig: PushRig, status: int) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone")
    rig.service.answer("phone", status)
    await rig.post(bob, "@alice one")
    await rig.post(bob, "@alice two")
    await rig.settle()
    assert len(rig.service.received) == 1  # the second push went with the subscription
    assert (await rig.call(alice, "GET", "/api/v1/push/subscription")).status_code == 404
    assert await states(rig, alice) == []


async def test_a_413_is_sent_again_once_in_the_smaller_form(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone", standard=True)
    rig.service.answer("phone", 413)
    await rig.post(bob, "@alice a long story")
    await rig.settle()
    first, second = rig.service.received
    assert len(second.body) < len(first.body)
    assert second.payload is not None and "story" not in str(second.payload)
    assert second.payload["title"] == "bob mentioned you"
    assert await states(rig, alice) == ["sent"]
    # Twice 413: given up, the subscription kept.
    rig.service.answer("phone", 413, 413)
    await rig.post(bob, "@alice again")
    await rig.settle()
    assert sorted(await states(rig, alice)) == ["failed", "sent"]
    assert (await rig.call(alice, "GET", "/api/v1/push/subscription")).status_code == 200


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize("status", [429, 408, 500, 503])
async def test_a_busy_push_service_is_tried_again_later(rig: PushRig, status: int) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone")
    clock = Clock()
    worker = PushWorker(rig.context, clock)
    rig.service.answer("phone", status, headers={"Retry-After": "600"})
    await rig.post(bob, "@alice later")
    assert await worker.run_once() == 1
    assert await states(rig, alice) == ["queued"]
    clock.now += timedelta(minutes=5)  # the backoff alone would have been over: Retry-After
    assert await worker.run_once() == 0
    clock.now += timedelta(minutes=6)
    assert await worker.run_once() == 1
    assert await states(rig, alice) == ["sent"]
    assert [r.status for r in rig.service.received] == [status, 201]


async def test_a_push_is_dropped_when_its_ttl_runs_out(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone")
    clock = Clock()
    worker = PushWorker(rig.context, clock)
    await rig.post(bob, "@alice soon")
    for _ in range(30):
        rig.service.answer("phone", 500)
        await worker.run_once()
        clock.now += timedelta(hours=4, minutes=30)
        if await states(rig, alice) != ["queued"]:
            break
    assert await states(rig, alice) == ["failed"]
    assert clock.now - utcnow() < timedelta(hours=48 + 9)
    assert all(r.status == 500 for r in rig.service.received)
    assert (await rig.call(alice, "GET", "/api/v1/push/subscription")).status_code == 200


async def test_mastodon_py_decrypts_a_real_push(rig: PushRig) -> None:
    endpoint = rig.service.endpoint("mastodon-py")

    def subscribe() -> tuple[Any, Any]:
        with logged_in(rig.base, ["read", "write", "follow", "push"]) as client:
            private, public = client.push_subscription_generate_keys()
            client.push_subscription_set(endpoint, public, mention_events=True)
            return client, private

    client, private = await asyncio.to_thread(subscribe)
    rig.service.devices["mastodon-py"] = Device(
        "mastodon-py", ec.derive_private_key(private["privkey"], ec.SECP256R1()), private["auth"]
    )
    await rig.post(await rig.token("bob"), "@alice from an app's point of view")
    await rig.settle()
    assert rig.service.errors == []
    (received,) = rig.service.received
    decrypted = await asyncio.to_thread(
        client.push_subscription_decrypt_push, received.body, private,
        received.headers["encryption"], received.headers["crypto-key"],
    )  # fmt: skip
    assert decrypted["notification_type"] == "mention"
    assert decrypted["title"] == "bob mentioned you"
    assert decrypted["body"] == "@alice from an app's point of view"
    assert decrypted["access_token"] == client.access_token
