"""A member's Web Push subscriptions, one per access token (Mastodon's push/subscription): made
after the endpoint and keys are checked, changed (alerts and policy only), read and removed.

The endpoint must be https and reach a public address, checked with the same guard as every
outbound request (fedi.transport); the app's own access token is kept sealed for the payloads'
access_token, under a key derived from the instance's private key, which the database does not
hold.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.timeutil import to_db, utcnow
from fedi.db import Database, push_subscriptions
from fedi.db.connection import Connection
from fedi.db.push_subscriptions import Subscription
from fedi.push.encryption import b64url, decode_b64
from fedi.push.payload import MASTODON_TYPES
from fedi.transport.http import FetchError

POLICIES = ("all", "followed", "follower", "none")
MAX_ENDPOINT = 2048


class SubscriptionError(ValueError):
    """Refused input; `field` names the parameter, as Mastodon's 422 details do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Data:
    """What PUT may change: the alert per Mastodon type, and the policy."""

    alerts: dict[str, bool]
    policy: str


def data_from(alerts: Mapping[str, bool], policy: str | None) -> Data:
    """Alerts for the known types (others ignored, as Mastodon permits only its own), any not
    given off; the policy `all` unless given."""
    chosen = policy or "all"
    if chosen not in POLICIES:
        raise SubscriptionError("policy", f"policy must be one of {', '.join(POLICIES)}")
    return Data({kind: bool(alerts.get(kind, False)) for kind in MASTODON_TYPES}, chosen)


def decode_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """The app's keys in base64url, once proven: a P-256 point (65 bytes, 0x04 first) and a
    16-byte secret, in either base64 alphabet, padded or not."""
    try:
        point, secret = decode_b64(p256dh), decode_b64(auth)
    except ValueError:
        raise SubscriptionError("keys", "the keys are not base64") from None
    if len(point) != 65 or point[0] != 4:
        raise SubscriptionError("keys", "p256dh must be an uncompressed P-256 public key")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise SubscriptionError("keys", "p256dh is not a point of P-256") from None
    if len(secret) != 16:
        raise SubscriptionError("keys", "auth must be 16 bytes")
    return b64url(point), b64url(secret)


async def check_endpoint(context: Context, endpoint: str) -> str:
    """The endpoint, if pushes may be sent there: https, and a host that resolves to a public
    address (security.md's SSRF guard, as at sending time)."""
    if len(endpoint) > MAX_ENDPOINT:
        raise SubscriptionError("endpoint", "the endpoint is too long")
    if not endpoint.lower().startswith("https://"):
        raise SubscriptionError("endpoint", "the endpoint must be an https URL")
    try:
        await context.http.check_reachable(endpoint)
    except FetchError as exc:
        raise SubscriptionError("endpoint", f"the endpoint cannot be used: {exc}") from None
    return endpoint


_sealing_keys: weakref.WeakKeyDictionary[Database, bytes] = weakref.WeakKeyDictionary()


def _sealing_key(context: Context) -> bytes:
    key = _sealing_keys.get(context.db)
    if key is None:
        secret = context.keys.path_for(context.instance_actor.id).read_bytes()
        key = hashlib.sha256(b"fedi push access tokens\0" + secret).digest()
        _sealing_keys[context.db] = key
    return key


def seal(context: Context, token_id: int, access_token: str) -> bytes:
    nonce = os.urandom(12)
    sealed = AESGCM(_sealing_key(context)).encrypt(
        nonce, access_token.encode(), str(token_id).encode()
    )
    return nonce + sealed


def unseal(context: Context, subscription: Subscription) -> str | None:
    """The app's access token, or None if it cannot be opened (another instance key)."""
    sealed = subscription.sealed_token
    try:
        plain = AESGCM(_sealing_key(context)).decrypt(
            sealed[:12], sealed[12:], str(subscription.token_id).encode()
        )
    except (InvalidTag, ValueError):
        return None
    return plain.decode()


async def subscribe(
    context: Context, *, token_id: int, access_token: str, account_id: int, endpoint: str,
    p256dh: str, auth: str, standard: bool, data: Data,
) -> Subscription:  # fmt: skip
    """The token's new subscription, replacing any it had."""
    point, secret = decode_keys(p256dh, auth)
    endpoint = await check_endpoint(context, endpoint)
    made = Subscription(
        id=new_id(), token_id=token_id, account_id=account_id, endpoint=endpoint, p256dh=point,
        auth=secret, is_standard=standard, alerts=data.alerts, policy=data.policy,
        sealed_token=seal(context, token_id, access_token),
    )  # fmt: skip
    stamp = to_db(utcnow())

    def write(conn: Connection) -> None:
        push_subscriptions.replace(conn, made, stamp)

    await context.db.write(write)
    return made


async def subscription_of(context: Context, token_id: int) -> Subscription | None:
    async with context.db.read() as conn:
        return await push_subscriptions.of_token(conn, token_id)


async def change(context: Context, token_id: int, data: Data) -> Subscription | None:
    """New alerts and policy for the token's subscription; None when it has none."""

    def write(conn: Connection) -> int:
        return push_subscriptions.update_data(conn, token_id, data.alerts, data.policy)

    if not await context.db.write(write):
        return None
    return await subscription_of(context, token_id)


async def unsubscribe(context: Context, token_id: int) -> None:
    await context.db.write(lambda conn: push_subscriptions.delete_of_token(conn, token_id))
