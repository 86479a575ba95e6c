"""HTTP signatures, draft-cavage (Mastodon's scheme) and RFC 9421: sign, parse, verify.

The inbox parses first to learn the keyId, fetches that key, then verifies; nothing here does I/O.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    MappingKeyResolver,
    algorithms,
)

# SignatureError is defined in keys.digest (below this module) and re-exported here.
from keys.digest import SignatureError as SignatureError
from keys.digest import digest_header, verify_content_digest, verify_digest
from keys.sigparse import JoinedFields as JoinedFields
from keys.sigparse import ParsedSignature as ParsedSignature
from keys.sigparse import joined_fields as joined_fields
from keys.sigparse import joined_raw_fields as joined_raw_fields
from keys.sigparse import parse_signature as parse_signature

MIN_RSA_BITS = 2048
MAX_PEM_CHARS = 16384
# An HTTP-date is 29 characters (RFC 9110 §5.6.7), its obsolete forms fewer than 40.
MAX_DATE_CHARS = 64
RFC9421_LABEL = "sig1"

# The primitive is fixed by the key type; the header may only name it or stay silent
# (Mastodon: `rsa-sha256` and `hs2019` both mean RSASSA-PKCS1-v1_5 with SHA-256).
_CAVAGE_ALGORITHMS = {"rsa": {None, "rsa-sha256", "hs2019"}, "ed25519": {None, "hs2019", "ed25519"}}
_RFC9421_ALGORITHMS = {"rsa": {None, "rsa-v1_5-sha256"}, "ed25519": {None, "ed25519"}}

_VerifyKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


class KeyMismatchError(SignatureError):
    """The signature does not verify with this key (or the key type does not fit): a failure a
    newer key of the same actor could cure, so the caller may refetch the key once."""


# The message shape http-message-signatures reads.
@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    headers: dict[str, str]


class _InjectedClockVerifier(HTTPMessageVerifier):
    """The library checks `created`/`expires` against the wall clock with a 5 s skew;
    verify_request checks them against the caller's clock with Mastodon's window instead."""

    def validate_created_and_expires(self, sig_input: object, max_age: object = None) -> None:
        return None


@functools.lru_cache(maxsize=1024)
def load_public_key(pem: str) -> PublicKeyTypes:
    if len(pem) > MAX_PEM_CHARS:
        raise SignatureError("public key too large")
    try:
        return serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnsupportedAlgorithm) as error:
        raise SignatureError("unreadable public key") from error


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    private_key: rsa.RSAPrivateKey,
    key_id: str,
    now: datetime,
) -> dict[str, str]:
    if not key_id.isascii() or not key_id.isprintable() or '"' in key_id:
        raise ValueError(f"key id cannot be sent in a Signature header: {key_id!r}")
    host, target = _host_and_target(url)
    signed = {"host": host, "date": format_datetime(_utc(now), usegmt=True)}
    if body is not None:
        signed["digest"] = digest_header(body)
    lines = [f"(request-target): {method.lower()} {target}"]
    lines += [f"{name}: {value}" for name, value in signed.items()]
    raw = private_key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    names = " ".join(["(request-target)", *signed])
    sent = _without(headers, {*signed, "signature"})
    sent.update({name.title(): value for name, value in signed.items()})
    sent["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{names}",'
        f'signature="{base64.b64encode(raw).decode("ascii")}"'
    )
    return sent


def sign_request_rfc9421(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    private_key: rsa.RSAPrivateKey,
    key_id: str,
    now: datetime,
) -> dict[str, str]:
    # Mastodon 4.5: sig1=("@method" "@target-uri" "content-digest");created;keyid;alg.
    sent = _without(headers, {"content-digest", "signature", "signature-input"})
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.RSA_V1_5_SHA256,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private_key}),
    )
    signer.sign(
        _Request(method.upper(), url, sent),
        key_id=key_id,
        created=_utc(now),
        label=RFC9421_LABEL,
        covered_component_ids=("@method", "@target-uri"),
        body=body,  # adds Content-Digest and covers it
    )
    return sent


def verify_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key: PublicKeyTypes,
    parsed: ParsedSignature,
    *,
    expected_host: str,
    now: datetime,
    max_skew: timedelta = timedelta(hours=1),
    max_age: timedelta = timedelta(hours=1, minutes=5),
    scheme: str = "https",
) -> None:
    now = _utc(now)
    fields = joined_fields(headers)
    if any(fields.get(name) != value for name, value in parsed.source):
        raise SignatureError("signature headers changed after parsing")
    key = _checked_key(public_key, parsed)
    if parsed.expires is not None and _from_timestamp(parsed.expires) < now:
        raise SignatureError("signature expired")
    sent_at = [] if parsed.created is None else [_from_timestamp(parsed.created)]
    if parsed.scheme == "cavage" and "date" in parsed.components:
        sent_at.append(_parse_http_date(fields.get("date")))
    for moment in sent_at:
        if moment > now + max_skew:
            raise SignatureError("signature date is in the future")
        if moment < now - max_age:
            raise SignatureError("signature date is too old")
    # Mastodon requires a signed digest on every POST, even an empty one (S3).
    has_body = bool(body) or method.upper() == "POST"
    if parsed.scheme == "rfc9421":
        _require_rfc9421_coverage(parsed, has_body)
        _check_body_digest("content-digest", fields, body, '"content-digest"' in parsed.components)
        url = f"{scheme}://{expected_host.lower()}{target}"
        _verify_rfc9421(_Request(method.upper(), url, fields), key, parsed)
        return
    _require_cavage_coverage(parsed, has_body)
    host = fields.get("host")
    if host is None or host.lower() != expected_host.lower():
        raise SignatureError("signed host is not this server")
    _check_body_digest("digest", fields, body, "digest" in parsed.components)
    request_target = f"{method.lower()} {target}"
    lines = [
        f"{name}: {_cavage_value(name, request_target, fields, parsed)}"
        for name in parsed.components
    ]
    _verify_with_key(key, parsed.signature, "\n".join(lines).encode("ascii"))


def _require_cavage_coverage(parsed: ParsedSignature, has_body: bool) -> None:
    # Mastodon `verify_signature_strength!`; security.md S3, S4.
    names = parsed.components
    missing = [name for name in ("(request-target)", "host") if name not in names]
    if "date" not in names and "(created)" not in names:
        missing.append("date")
    if has_body and "digest" not in names:
        missing.append("digest")
    if missing:
        raise SignatureError("signature does not cover " + " ".join(missing))


def _require_rfc9421_coverage(parsed: ParsedSignature, has_body: bool) -> None:
    covered = set(parsed.components)
    if '"@method"' not in covered or (
        '"@target-uri"' not in covered and not {'"@authority"', '"@path"'} <= covered
    ):
        raise SignatureError("signature does not cover the method and target URI")
    if has_body and '"content-digest"' not in covered:
        raise SignatureError("signature does not cover content-digest")
    if parsed.created is None:
        raise SignatureError("signature has no created time")


def _check_body_digest(field: str, fields: dict[str, str], body: bytes, is_signed: bool) -> None:
    if not is_signed:
        return
    value = fields.get(field)
    if value is None:
        raise SignatureError(f"signed {field} header missing")
    (verify_digest if field == "digest" else verify_content_digest)(value, body)


def _cavage_value(
    name: str, request_target: str, fields: dict[str, str], parsed: ParsedSignature
) -> str:
    value: str | None
    if name == "(request-target)":
        value = request_target
    elif name in ("(created)", "(expires)"):
        # draft-cavage-12 §2.3: these pseudo-headers are an error with rsa-* algorithms.
        if parsed.algorithm == "rsa-sha256":
            raise SignatureError(f"{name} cannot be signed with rsa-sha256")
        number = parsed.created if name == "(created)" else parsed.expires
        value = None if number is None else str(number)
    elif name.startswith("("):
        raise SignatureError("unknown pseudo-header in signature")
    else:
        value = fields.get(name)
    if value is None:
        raise SignatureError(f"signed {name} missing")
    # Signed values are ASCII in practice; a line break would forge extra signing-string lines.
    if not value.isascii() or not value.isprintable():
        raise SignatureError(f"unprintable characters in signed {name}")
    return value


def _verify_rfc9421(request: _Request, key: _VerifyKey, parsed: ParsedSignature) -> None:
    # The library builds the signature base (RFC 9421 §2.5) and checks `alg` against the
    # algorithm we chose from the key. @target-uri is rebuilt from our own host, so a signature
    # made for another host fails here.
    verifier = _InjectedClockVerifier(
        signature_algorithm=(
            algorithms.RSA_V1_5_SHA256 if isinstance(key, rsa.RSAPublicKey) else algorithms.ED25519
        ),
        key_resolver=MappingKeyResolver(public_keys={parsed.key_id: key}, private_keys={}),
    )
    try:
        verifier.verify(request, max_age=None)
    except (HTTPMessageSignaturesException, ValueError) as error:
        raise KeyMismatchError("signature does not verify") from error


def _checked_key(public_key: PublicKeyTypes, parsed: ParsedSignature) -> _VerifyKey:
    key: _VerifyKey
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise SignatureError("RSA key shorter than 2048 bits")
        key, kind = public_key, "rsa"
    elif isinstance(public_key, ed25519.Ed25519PublicKey):
        key, kind = public_key, "ed25519"
    else:
        raise SignatureError("unsupported key type")
    allowed = _CAVAGE_ALGORITHMS if parsed.scheme == "cavage" else _RFC9421_ALGORITHMS
    if parsed.algorithm not in allowed[kind]:
        raise KeyMismatchError("signature algorithm does not match the key type")
    return key


def _verify_with_key(key: _VerifyKey, signature: bytes, message: bytes) -> None:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            key.verify(signature, message)
    except (InvalidSignature, ValueError) as error:
        raise KeyMismatchError("signature does not verify") from error


def _parse_http_date(value: str | None) -> datetime:
    if value is None:
        raise SignatureError("Date header missing")
    if len(value) > MAX_DATE_CHARS:
        raise SignatureError("unparsable Date header")
    return _http_date(value)


# Senders stamp their requests with the current second, so a busy inbox sees the same few Date
# values over and over; parsing one is a pure function of the string (only successes are kept).
@functools.lru_cache(maxsize=256)
def _http_date(value: str) -> datetime:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError) as error:
        raise SignatureError("unparsable Date header") from error
    if parsed.tzinfo is None:
        raise SignatureError("unparsable Date header")
    return parsed


def _from_timestamp(value: int) -> datetime:
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise SignatureError("signature timestamp out of range") from error


def _without(headers: Mapping[str, str], names: set[str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() not in names}


def _host_and_target(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.hostname is None:
        raise ValueError(f"URL without a host: {url!r}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if parts.port is not None and parts.port != {"http": 80, "https": 443}.get(parts.scheme):
        host = f"{host}:{parts.port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return host, target


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)
