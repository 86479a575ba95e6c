"""The instance's VAPID identity (RFC 8292): one P-256 key pair, made on first use and kept in
the database, and the signed JWT each push carries so that the push service knows who sends."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt

from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import Database, vapid_keys
from fedi.db.connection import Connection
from fedi.push.encryption import b64url

# RFC 8292 allows up to 24 hours; GoToSocial's 12 leaves room for a skewed clock.
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class VapidKey:
    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # the uncompressed point, base64url: what apps are given


_kept: weakref.WeakKeyDictionary[Database, VapidKey] = weakref.WeakKeyDictionary()


def _load(private_pem: str, public_key: str) -> VapidKey:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    return VapidKey(private, public_key)


async def vapid_key(context: Context) -> VapidKey:
    """The instance's pair, made and stored the first time any part of the server asks (two
    first uses at once keep the same pair: the first stored)."""
    kept = _kept.get(context.db)
    if kept is not None:
        return kept
    async with context.db.read() as conn:
        found = await vapid_keys.current(conn)
    if found is None:
        private = ec.generate_private_key(ec.SECP256R1())
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public = b64url(
            private.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        stamp = to_db(utcnow())

        def keep(conn: Connection) -> None:
            vapid_keys.keep(conn, pem, public, stamp)

        await context.db.write(keep)
        async with context.db.read() as conn:
            found = await vapid_keys.current(conn)
        assert found is not None
    kept = _load(*found)
    _kept[context.db] = kept
    return kept


def origin_of(endpoint: str) -> str:
    """The JWT's audience: the endpoint's scheme, host and port, nothing else."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def subject_of(context: Context) -> str:
    """Who to contact about these pushes: the instance's contact address, else its URL."""
    email = context.settings.contact_email
    return f"mailto:{email}" if email else context.settings.base_url


def token(key: VapidKey, endpoint: str, subject: str, now: datetime) -> str:
    """The signed JWT (ES256) for one push to `endpoint`."""
    claims = {"aud": origin_of(endpoint), "exp": int((now + LIFETIME).timestamp()), "sub": subject}
    return str(jwt.sign(claims, key.private_key))


def authorization(key: VapidKey, signed: str, standard: bool) -> dict[str, str]:
    """RFC 8292's `vapid` scheme; the legacy encoding pairs `WebPush` with the public key in
    Crypto-Key (its caller adds the dh parameter there)."""
    if standard:
        return {"Authorization": f"vapid t={signed},k={key.public_key}"}
    return {"Authorization": f"WebPush {signed}", "Crypto-Key": f"p256ecdsa={key.public_key}"}
