"""Body digests: `Digest` (draft-cavage / RFC 3230) and `Content-Digest` (RFC 9530)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from http_message_signatures import ContentDigest

from keys.digest import (
    SignatureError,
    content_digest_header,
    digest_header,
    verify_content_digest,
    verify_digest,
)

BODY = b'{"type":"Follow"}'
SHA256 = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
SHA512 = base64.b64encode(hashlib.sha512(BODY).digest()).decode()
OTHER = base64.b64encode(hashlib.sha256(b"other").digest()).decode()


def test_digest_header_of_empty_body_is_the_known_sha256() -> None:
    assert digest_header(b"") == "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_content_digest_header_matches_http_message_signatures() -> None:
    assert content_digest_header(BODY) == f"sha-256=:{SHA256}:"
    assert content_digest_header(BODY) == ContentDigest.create(BODY)


def test_digest_round_trip() -> None:
    verify_digest(digest_header(BODY), BODY)
    verify_content_digest(content_digest_header(BODY), BODY)


@pytest.mark.parametrize("name", ["sha-256", "Sha-256", "SHA-256"])
def test_digest_algorithm_name_is_case_insensitive(name: str) -> None:
    verify_digest(f"{name}={SHA256}", BODY)


def test_digest_ignores_other_algorithms_next_to_sha256() -> None:
    verify_digest(f"MD5=abc=, SHA-256={SHA256}", BODY)


def test_tampered_body_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_digest(digest_header(BODY), BODY + b" ")
    with pytest.raises(SignatureError, match="does not match"):
        verify_content_digest(content_digest_header(BODY), BODY + b" ")


@pytest.mark.parametrize(
    "value",
    [f"SHA-512={SHA512}", "MD5=XrY7u+Ae7tCTyyK7j1rNww==", f"SHA={SHA256}", f"SHA-1={SHA256}"],
)
def test_digest_without_sha256_is_refused(value: str) -> None:
    with pytest.raises(SignatureError, match="no SHA-256"):
        verify_digest(value, BODY)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "SHA-256",
        "SHA-256=not base64!",
        f"SHA-256={SHA256[:-1]}",
        f"SHA-256={SHA256},",
        f"SHA-256={SHA256}, sha-256={SHA256}",
        f"SHA-256={SHA256}" + "A" * 2000,
    ],
)
def test_malformed_digest_is_refused(value: str) -> None:
    with pytest.raises(SignatureError):
        verify_digest(value, BODY)


def test_digest_of_other_body_is_refused() -> None:
    with pytest.raises(SignatureError):
        verify_digest(f"SHA-256={OTHER}", BODY)


def test_content_digest_accepts_sha512_alone() -> None:
    verify_content_digest(f"sha-512=:{SHA512}:", BODY)


def test_content_digest_name_is_case_insensitive() -> None:
    verify_content_digest(f"SHA-256=:{SHA256}:", BODY)


def test_content_digest_ignores_unknown_algorithms_next_to_a_known_one() -> None:
    verify_content_digest(f"md5=:AAAA:, sha-256=:{SHA256}:", BODY)


def test_content_digest_with_one_wrong_known_entry_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_content_digest(f"sha-256=:{SHA256}:, sha-512=:{SHA256}:", BODY)


@pytest.mark.parametrize(
    "value",
    [
        "md5=:XrY7u+Ae7tCTyyK7j1rNww==:",
        f"sha-256={SHA256}",
        f"sha-256=:{SHA256}",
        f"sha-256=:{SHA256}:;param",
        f"sha-256=:{SHA256}:, sha-256=:{SHA256}:",
        "sha-256=::",
        "garbage",
    ],
)
def test_malformed_or_unknown_content_digest_is_refused(value: str) -> None:
    with pytest.raises(SignatureError):
        verify_content_digest(value, BODY)


def test_signature_error_carries_a_reason() -> None:
    with pytest.raises(SignatureError) as caught:
        verify_digest("", BODY)
    assert caught.value.reason == "malformed Digest"
