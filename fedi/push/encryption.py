"""Web Push message encryption, pure: RFC 8291 (`aes128gcm`, one RFC 8188 record carrying its
salt and the sender's key) and the legacy draft `aesgcm` that Mastodon sends to apps which did
not ask for `standard` (draft-ietf-webpush-encryption-04, with Encryption and Crypto-Key headers).

Every message is padded so that its record holds exactly `size` bytes: a push service, or anyone
watching it, learns nothing from a message's length.
"""

from __future__ import annotations

import base64
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

RECORD_SIZE = 4096  # the rs announced in an aes128gcm header (RFC 8291 section 4)
TAG = 16


class EncryptionError(ValueError):
    """The payload does not fit the padded size, or a key is not a P-256 point."""


@dataclass(frozen=True)
class Encrypted:
    """The body, and for `aesgcm` the salt and sender key its headers carry (base64url)."""

    body: bytes
    salt: str = ""
    dh: str = ""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_b64(text: str) -> bytes:
    """Standard or URL-safe base64, padded or not (apps send either, as GoToSocial accepts)."""
    cleaned = text.strip().rstrip("=").replace("+", "-").replace("/", "_")
    return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))


def _public_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def _hmac(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize()


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def _shared(sender: ec.EllipticCurvePrivateKey, ua_public: bytes) -> bytes:
    try:
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public)
    except ValueError as exc:
        raise EncryptionError(f"not a P-256 public key: {exc}") from None
    return sender.exchange(ec.ECDH(), peer)


def encrypt_aes128gcm(
    payload: bytes, ua_public: bytes, auth: bytes, size: int, *,
    sender: ec.EllipticCurvePrivateKey | None = None, salt: bytes | None = None,
) -> Encrypted:  # fmt: skip
    """RFC 8291: one record of `size` plaintext bytes (the payload, the 0x02 delimiter, zeros).
    `sender` and `salt` are fresh for every message; tests pass the RFC's."""
    if len(payload) + 1 > size or size + TAG > RECORD_SIZE:
        raise EncryptionError(f"a payload of {len(payload)} bytes does not fit {size}")
    sender = sender or ec.generate_private_key(ec.SECP256R1())
    salt = salt if salt is not None else os.urandom(16)
    as_public = _public_bytes(sender)
    ecdh_secret = _shared(sender, ua_public)
    # RFC 8291 section 3.4: HKDF with auth as salt, then RFC 8188's key and nonce.
    prk_key = _hmac(auth, ecdh_secret)
    ikm = _hmac(prk_key, b"WebPush: info\x00" + ua_public + as_public + b"\x01")
    prk = _hmac(salt, ikm)
    cek = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    record = payload + b"\x02" + b"\x00" * (size - len(payload) - 1)
    header = salt + struct.pack("!L", RECORD_SIZE) + bytes([len(as_public)]) + as_public
    return Encrypted(header + AESGCM(cek).encrypt(nonce, record, None))


def encrypt_aesgcm(
    payload: bytes, ua_public: bytes, auth: bytes, size: int, *,
    sender: ec.EllipticCurvePrivateKey | None = None, salt: bytes | None = None,
) -> Encrypted:  # fmt: skip
    """The legacy draft: one record of `size` bytes (a two-byte padding length, that many zeros,
    the payload); the salt and the sender's key travel in the Encryption and Crypto-Key
    headers."""
    padding = size - 2 - len(payload)
    if padding < 0 or size > RECORD_SIZE:
        raise EncryptionError(f"a payload of {len(payload)} bytes does not fit {size}")
    sender = sender or ec.generate_private_key(ec.SECP256R1())
    salt = salt if salt is not None else os.urandom(16)
    as_public = _public_bytes(sender)
    ecdh_secret = _shared(sender, ua_public)
    ikm = _hkdf(auth, ecdh_secret, b"Content-Encoding: auth\x00", 32)
    context = (
        b"P-256\x00" + struct.pack("!H", len(ua_public)) + ua_public
        + struct.pack("!H", len(as_public)) + as_public
    )  # fmt: skip
    cek = _hkdf(salt, ikm, b"Content-Encoding: aesgcm\x00" + context, 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00" + context, 12)
    record = struct.pack("!H", padding) + b"\x00" * padding + payload
    return Encrypted(AESGCM(cek).encrypt(nonce, record, None), b64url(salt), b64url(as_public))
