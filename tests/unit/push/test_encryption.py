"""RFC 8291's example reproduced byte for byte, and both encodings decrypted by an independent
implementation (http_ece, the one Mastodon.py decrypts with), padding included."""

from __future__ import annotations

import base64
import os

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fedi.push.encryption import (
    EncryptionError,
    b64url,
    decode_b64,
    encrypt_aes128gcm,
    encrypt_aesgcm,
)

_X962 = (Encoding.X962, PublicFormat.UncompressedPoint)

# RFC 8291 section 5 (and its Appendix A), base64url as printed there.
PLAINTEXT = b"When I grow up, I want to be a watermelon"
AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
UA_PUBLIC = (
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
)
SALT = "DGv6ra1nlYgDCS1FRnbzlw"
AUTH = "BTBZMqHH6r4Tts7J_aSIgg"
BODY = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS"
    "6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qu"
    "lcy4a-fN"
)


def private_key(text: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(decode_b64(text), "big"), ec.SECP256R1())


def test_the_rfc_8291_example_is_reproduced_exactly() -> None:
    encrypted = encrypt_aes128gcm(
        PLAINTEXT, decode_b64(UA_PUBLIC), decode_b64(AUTH), len(PLAINTEXT) + 1,
        sender=private_key(AS_PRIVATE), salt=decode_b64(SALT),
    )  # fmt: skip
    assert b64url(encrypted.body) == BODY


def test_aes128gcm_is_padded_to_the_size_and_decrypts() -> None:
    receiver = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = receiver.public_key().public_bytes(*_X962)
    short = encrypt_aes128gcm(b"{}", public, auth, 1024)
    long = encrypt_aes128gcm(b"x" * 900, public, auth, 1024)
    assert len(short.body) == len(long.body) == 86 + 1024 + 16
    plain = http_ece.decrypt(short.body, private_key=receiver, auth_secret=auth,
                             version="aes128gcm")  # fmt: skip
    assert plain == b"{}"


def test_legacy_aesgcm_is_padded_to_the_size_and_decrypts() -> None:
    receiver = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = receiver.public_key().public_bytes(*_X962)
    short = encrypt_aesgcm(b"{}", public, auth, 1024)
    long = encrypt_aesgcm(b"y" * 1000, public, auth, 1024)
    assert len(short.body) == len(long.body) == 1024 + 16
    plain = http_ece.decrypt(
        short.body, salt=decode_b64(short.salt), dh=decode_b64(short.dh), private_key=receiver,
        auth_secret=auth, version="aesgcm",
    )  # fmt: skip
    assert plain == b"{}"


def test_a_payload_larger_than_the_size_is_refused() -> None:
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(*_X962)
    with pytest.raises(EncryptionError):
        encrypt_aes128gcm(b"z" * 100, public, os.urandom(16), 100)
    with pytest.raises(EncryptionError):
        encrypt_aesgcm(b"z" * 100, public, os.urandom(16), 101)


def test_keys_decode_from_either_base64_alphabet_with_or_without_padding() -> None:
    raw = bytes(range(248, 256)) + b"\xfb\xff\xfe"
    standard = base64.b64encode(raw).decode()
    assert "+" in standard and "/" in standard and standard.endswith("=")
    assert decode_b64(standard) == raw
    assert decode_b64(standard.rstrip("=")) == raw
    assert decode_b64(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
