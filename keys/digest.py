"""Body digests: the draft-cavage `Digest` header (RFC 3230) and RFC 9530 `Content-Digest`.

Inbox verification checks them against the raw body; a signature only vouches for the header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

# Real senders send one or two entries in well under 200 characters.
MAX_DIGEST_CHARS = 1024
_ENTRY = re.compile(r"[ \t]*([A-Za-z0-9*_.-]{1,32})=([^,]*?)[ \t]*")
# RFC 9530 algorithm names → hashlib names.
_HASHES = {"sha-256": "sha256", "sha-512": "sha512"}


class SignatureError(Exception):
    """A request signature or body digest is missing, malformed or wrong; answered with 401.

    It lives here, below `keys.httpsig`, because a digest mismatch is a signature failure and
    httpsig imports this module; `keys.httpsig` re-exports it.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def digest_header(body: bytes) -> str:
    return "SHA-256=" + _b64(hashlib.sha256(body).digest())


def content_digest_header(body: bytes) -> str:
    return f"sha-256=:{_b64(hashlib.sha256(body).digest())}:"


def verify_digest(value: str, body: bytes) -> None:
    # Mastodon accepts only SHA-256 in `Digest` and ignores the other entries (Misskey
    # CVE-2023-49079 came from skipping this check altogether).
    encoded = _entries(value, "Digest").get("sha-256")
    if encoded is None:
        raise SignatureError("Digest has no SHA-256 entry")
    _compare(encoded, hashlib.sha256(body).digest(), "Digest")


def verify_content_digest(value: str, body: bytes) -> None:
    # RFC 9530 §2: unknown algorithms are ignored, so at least one known one must be present;
    # every known one must match, so a wrong entry cannot hide behind a right one.
    entries = _entries(value, "Content-Digest")
    known = [name for name in _HASHES if name in entries]
    if not known:
        raise SignatureError("Content-Digest has no SHA-256 or SHA-512 entry")
    for name in known:
        encoded = entries[name]
        # A Structured Field byte sequence (RFC 8941 §3.3.5), without parameters.
        if len(encoded) < 2 or encoded[0] != ":" or encoded[-1] != ":":
            raise SignatureError("malformed Content-Digest")
        _compare(encoded[1:-1], hashlib.new(_HASHES[name], body).digest(), "Content-Digest")


def _entries(value: str, field: str) -> dict[str, str]:
    if len(value) > MAX_DIGEST_CHARS:
        raise SignatureError(f"{field} too long")
    entries: dict[str, str] = {}
    for part in value.split(","):
        match = _ENTRY.fullmatch(part)
        if match is None:
            raise SignatureError(f"malformed {field}")
        # Algorithm names are case-insensitive (RFC 3230 §4.1.1; Mastodon downcases them).
        name = match[1].lower()
        if name in entries:
            raise SignatureError(f"duplicate algorithm in {field}")
        entries[name] = match[2]
    return entries


def _compare(encoded: str, expected: bytes, field: str) -> None:
    try:
        actual = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignatureError(f"malformed {field}") from error
    if not hmac.compare_digest(actual, expected):
        raise SignatureError(f"{field} does not match the body")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
