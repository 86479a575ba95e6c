"""HTTP signatures: round trips for draft-cavage and RFC 9421, and security.md §A (S2 to S9)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms
from starlette.datastructures import Headers

from keys.digest import digest_header
from keys.httpsig import (
    SignatureError,
    joined_fields,
    joined_raw_fields,
    load_public_key,
    parse_signature,
    sign_request,
    sign_request_rfc9421,
    verify_request,
)
from keys.keypair import public_pem_of

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOST = "fedi.test"
TARGET = "/users/bob/inbox"
INBOX = f"https://{HOST}{TARGET}"
KEY_ID = "https://remote.example/users/alice#main-key"
BODY = b'{"type":"Follow","actor":"https://remote.example/users/alice"}'
CONTENT_TYPE = {"Content-Type": "application/activity+json"}


@pytest.fixture(scope="module")
def alice_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def check(
    headers: Mapping[str, str],
    public_key: PublicKeyTypes,
    *,
    method: str = "POST",
    target: str = TARGET,
    body: bytes = BODY,
    host: str = HOST,
    now: datetime = NOW,
) -> None:
    parsed = parse_signature(headers)
    verify_request(method, target, headers, body, public_key, parsed, expected_host=host, now=now)


def refused(
    headers: Mapping[str, str],
    public_key: PublicKeyTypes,
    reason: str,
    *,
    method: str = "POST",
    target: str = TARGET,
    body: bytes = BODY,
) -> None:
    with pytest.raises(SignatureError) as caught:
        check(headers, public_key, method=method, target=target, body=body)
    assert reason in caught.value.reason


def pkcs1(key: rsa.RSAPrivateKey) -> Callable[[bytes], bytes]:
    return lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def cavage(
    sign: Callable[[bytes], bytes],
    names: str = "(request-target) host date digest",
    *,
    values: Mapping[str, str] | None = None,
    algorithm: str | None = "rsa-sha256",
    extra: str = "",
) -> dict[str, str]:
    """Sign exactly `names` over `values`, the way a sender of that shape would."""
    values = values or {"host": HOST, "date": http_date(NOW), "digest": digest_header(BODY)}
    pseudo = {"(request-target)": f"post {TARGET}"}
    lines = [f"{name}: {pseudo.get(name) or values[name]}" for name in names.split(" ")]
    signature = base64.b64encode(sign("\n".join(lines).encode())).decode()
    headers = {name.title(): value for name, value in values.items() if not name.startswith("(")}
    named = "" if algorithm is None else f'algorithm="{algorithm}",'
    headers["Signature"] = (
        f'keyId="{KEY_ID}",{named}{extra}headers="{names}",signature="{signature}"'
    )
    return headers


# The request shape http-message-signatures signs in place.
@dataclass
class Message:
    method: str
    url: str
    headers: dict[str, str]


def rfc9421(
    key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
    covered: tuple[str, ...] = ("@method", "@target-uri"),
    *,
    body: bytes | None = BODY,
    created: datetime = NOW,
    expires: datetime | None = None,
    algorithm: type[algorithms.HTTPSignatureAlgorithm] = algorithms.RSA_V1_5_SHA256,
) -> dict[str, str]:
    message = Message("POST", INBOX, {})
    signer = HTTPMessageSigner(
        signature_algorithm=algorithm,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={KEY_ID: key}),
    )
    signer.sign(
        message,
        key_id=KEY_ID,
        created=created,
        expires=expires,
        label="sig1",
        covered_component_ids=covered,
        body=body,
    )
    return message.headers


# Round trips


def test_cavage_post_round_trip(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("POST", INBOX, CONTENT_TYPE, BODY, alice_key, KEY_ID, NOW)
    assert headers["Host"] == HOST
    assert headers["Date"] == "Sat, 01 Mar 2025 12:00:00 GMT"
    assert headers["Digest"] == digest_header(BODY)
    assert headers["Content-Type"] == "application/activity+json"
    assert 'headers="(request-target) host date digest"' in headers["Signature"]
    assert 'algorithm="rsa-sha256"' in headers["Signature"]
    check(headers, alice_key.public_key())


def test_cavage_get_round_trip(alice_key: rsa.RSAPrivateKey) -> None:
    url = "https://fedi.test/users/bob/outbox?page=true"
    headers = sign_request("GET", url, {}, None, alice_key, KEY_ID, NOW)
    assert "Digest" not in headers
    assert 'headers="(request-target) host date"' in headers["Signature"]
    check(
        headers,
        alice_key.public_key(),
        method="GET",
        target="/users/bob/outbox?page=true",
        body=b"",
    )


def test_cavage_signs_a_non_default_port_into_host(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("GET", "https://fedi.test:8443/a", {}, None, alice_key, KEY_ID, NOW)
    assert headers["Host"] == "fedi.test:8443"
    check(
        headers, alice_key.public_key(), method="GET", target="/a", body=b"", host="fedi.test:8443"
    )


def test_signing_replaces_stale_signature_headers(alice_key: rsa.RSAPrivateKey) -> None:
    stale = {"signature": "old", "date": "old", "content-digest": "old", "Signature-Input": "x"}
    headers = sign_request("POST", INBOX, stale, BODY, alice_key, KEY_ID, NOW)
    assert "signature" not in headers and "date" not in headers
    headers = sign_request_rfc9421("POST", INBOX, stale, BODY, alice_key, KEY_ID, NOW)
    assert "content-digest" not in headers
    assert headers["Signature-Input"].startswith("sig1=(")


def test_signing_needs_an_aware_clock(alice_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_request("GET", INBOX, {}, None, alice_key, KEY_ID, datetime(2025, 3, 1))


def test_rfc9421_post_round_trip_as_mastodon_4_5_sends_it(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request_rfc9421("POST", INBOX, CONTENT_TYPE, BODY, alice_key, KEY_ID, NOW)
    created = int(NOW.timestamp())
    assert headers["Signature-Input"] == (
        f'sig1=("@method" "@target-uri" "content-digest");created={created};'
        f'keyid="{KEY_ID}";alg="rsa-v1_5-sha256"'
    )
    assert headers["Signature"].startswith("sig1=:")
    assert headers["Content-Digest"].startswith("sha-256=:")
    check(headers, alice_key.public_key())


def test_rfc9421_get_round_trip(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request_rfc9421("GET", INBOX, {}, None, alice_key, KEY_ID, NOW)
    assert "Content-Digest" not in headers
    assert '("@method" "@target-uri")' in headers["Signature-Input"]
    check(headers, alice_key.public_key(), method="GET", body=b"")


def test_parsing_needs_no_key_and_yields_the_key_id(alice_key: rsa.RSAPrivateKey) -> None:
    cavage_headers = sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    rfc_headers = sign_request_rfc9421("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    assert parse_signature(cavage_headers).scheme == "cavage"
    assert parse_signature(cavage_headers).key_id == KEY_ID
    assert parse_signature(rfc_headers).scheme == "rfc9421"
    assert parse_signature(rfc_headers).key_id == KEY_ID


def test_verifies_a_mastodon_shaped_cavage_signature(alice_key: rsa.RSAPrivateKey) -> None:
    date = "Sat, 01 Mar 2025 11:59:58 GMT"
    digest = digest_header(BODY)
    signing_string = (
        f"(request-target): post /users/bob/inbox\nhost: fedi.test\ndate: {date}\n"
        f"digest: {digest}\ncontent-type: application/activity+json"
    )
    signature = base64.b64encode(pkcs1(alice_key)(signing_string.encode())).decode()
    headers = {
        "Host": "fedi.test",
        "Date": date,
        "Digest": digest,
        "Content-Type": "application/activity+json",
        "Signature": (
            'keyId="https://mastodon.example/users/alice#main-key",algorithm="rsa-sha256",'
            'headers="(request-target) host date digest content-type",'
            f'signature="{signature}"'
        ),
    }
    assert parse_signature(headers).key_id == "https://mastodon.example/users/alice#main-key"
    check(headers, alice_key.public_key())


def test_authorization_signature_form_is_accepted(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    check(headers, alice_key.public_key())


def test_header_names_match_case_insensitively(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    check({name.upper(): value for name, value in headers.items()}, alice_key.public_key())
    rfc = sign_request_rfc9421("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    check({name.lower(): value for name, value in rfc.items()}, alice_key.public_key())


def test_repeated_signed_header_is_joined_with_comma_space(alice_key: rsa.RSAPrivateKey) -> None:
    values = {"host": HOST, "date": http_date(NOW), "digest": digest_header(BODY), "x-a": "1, 2"}
    signed = cavage(pkcs1(alice_key), "(request-target) host date digest x-a", values=values)
    raw = [(k.lower().encode(), v.encode()) for k, v in signed.items() if k != "X-A"]
    headers = Headers(raw=[*raw, (b"x-a", b"1"), (b"X-A", b" 2 ")])
    check(headers, alice_key.public_key())


def test_expected_host_compares_case_insensitively(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    check(headers, alice_key.public_key(), host="FEDI.test")


# S2 tampered body, S3 digest


def test_s2_tampered_body_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    refused(headers, alice_key.public_key(), "Digest does not match", body=BODY + b" ")
    rfc = sign_request_rfc9421("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    refused(rfc, alice_key.public_key(), "Content-Digest does not match", body=b"{}")


def test_s3_post_without_digest_in_signed_headers_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    headers = cavage(pkcs1(alice_key), "(request-target) host date")
    refused(headers, alice_key.public_key(), "does not cover digest")


def test_s3_empty_post_still_needs_a_signed_digest(alice_key: rsa.RSAPrivateKey) -> None:
    headers = cavage(pkcs1(alice_key), "(request-target) host date")
    refused(headers, alice_key.public_key(), "does not cover digest", body=b"")


def test_s3_signed_digest_without_digest_header_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    headers = cavage(pkcs1(alice_key))
    del headers["Digest"]
    refused(headers, alice_key.public_key(), "digest header missing")


def test_s3_non_sha256_digest_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    sha512 = base64.b64encode(hashlib.sha512(BODY).digest()).decode()
    values = {"host": HOST, "date": http_date(NOW), "digest": f"SHA-512={sha512}"}
    refused(cavage(pkcs1(alice_key), values=values), alice_key.public_key(), "no SHA-256")


def test_lower_case_digest_algorithm_is_accepted(alice_key: rsa.RSAPrivateKey) -> None:
    digest = digest_header(BODY).replace("SHA-256=", "sha-256=")
    values = {"host": HOST, "date": http_date(NOW), "digest": digest}
    check(cavage(pkcs1(alice_key), values=values), alice_key.public_key())


# S4 required components


@pytest.mark.parametrize(
    ("names", "reason"),
    [
        ("date", "(request-target) host"),
        ("host date digest", "(request-target)"),
        ("(request-target) date digest", "host"),
        ("(request-target) host digest", "date"),
    ],
)
def test_s4_signature_missing_a_required_header_is_refused(
    alice_key: rsa.RSAPrivateKey, names: str, reason: str
) -> None:
    refused(cavage(pkcs1(alice_key), names), alice_key.public_key(), "does not cover " + reason)


def test_rfc9421_post_without_content_digest_coverage_is_refused(
    alice_key: rsa.RSAPrivateKey,
) -> None:
    headers = rfc9421(alice_key, body=None)
    headers["Content-Digest"] = (
        f"sha-256=:{base64.b64encode(hashlib.sha256(BODY).digest()).decode()}:"
    )
    refused(headers, alice_key.public_key(), "does not cover content-digest")


def test_rfc9421_without_target_uri_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    refused(rfc9421(alice_key, ("@method",)), alice_key.public_key(), "target URI")


def test_rfc9421_authority_and_path_stand_in_for_target_uri(alice_key: rsa.RSAPrivateKey) -> None:
    check(rfc9421(alice_key, ("@method", "@authority", "@path")), alice_key.public_key())


# S7 time window


@pytest.mark.parametrize(
    ("offset", "reason"),
    [(timedelta(hours=-2), "too old"), (timedelta(hours=2), "in the future")],
)
def test_s7_date_outside_the_window_is_refused(
    alice_key: rsa.RSAPrivateKey, offset: timedelta, reason: str
) -> None:
    headers = sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW + offset)
    refused(headers, alice_key.public_key(), reason)
    rfc = sign_request_rfc9421("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW + offset)
    refused(rfc, alice_key.public_key(), reason)


@pytest.mark.parametrize("offset", [timedelta(hours=-1, minutes=-4), timedelta(minutes=59)])
def test_date_inside_the_window_is_accepted(
    alice_key: rsa.RSAPrivateKey, offset: timedelta
) -> None:
    check(
        sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW + offset),
        alice_key.public_key(),
    )


@pytest.mark.parametrize("date", ["yesterday", "", "Sat, 01 Mar 2025 12:00:00", "Sat, 99 Mar 2025"])
def test_s7_unparsable_date_is_refused(alice_key: rsa.RSAPrivateKey, date: str) -> None:
    values = {"host": HOST, "date": date, "digest": digest_header(BODY)}
    refused(cavage(pkcs1(alice_key), values=values), alice_key.public_key(), "Date")


def test_s7_expired_cavage_signature_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    created, expires = int(NOW.timestamp()) - 600, int(NOW.timestamp()) - 60
    values = {"(created)": str(created), "(expires)": str(expires), "host": HOST}
    values["digest"] = digest_header(BODY)
    names = "(request-target) host (created) (expires) digest"
    extra = f"created={created},expires={expires},"
    headers = cavage(pkcs1(alice_key), names, values=values, algorithm="hs2019", extra=extra)
    refused(headers, alice_key.public_key(), "expired")
    check(headers, alice_key.public_key(), now=NOW - timedelta(minutes=5))


def test_created_pseudo_header_is_refused_with_rsa_sha256(alice_key: rsa.RSAPrivateKey) -> None:
    created = int(NOW.timestamp())
    values = {"(created)": str(created), "host": HOST, "digest": digest_header(BODY)}
    names = "(request-target) host (created) digest"
    headers = cavage(pkcs1(alice_key), names, values=values, extra=f"created={created},")
    refused(headers, alice_key.public_key(), "(created) cannot be signed with rsa-sha256")


def test_s7_expired_rfc9421_signature_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    headers = rfc9421(
        alice_key, created=NOW - timedelta(minutes=10), expires=NOW - timedelta(seconds=1)
    )
    refused(headers, alice_key.public_key(), "expired")


def test_rfc9421_without_created_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request_rfc9421("GET", INBOX, {}, None, alice_key, KEY_ID, NOW)
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        f";created={int(NOW.timestamp())}", ""
    )
    refused(headers, alice_key.public_key(), "no created time", method="GET", body=b"")


# S9 algorithm confusion and weak keys


def test_s9_hmac_keyed_with_the_public_pem_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    pem = public_pem_of(alice_key).encode()

    def forge(data: bytes) -> bytes:
        return hmac.new(pem, data, hashlib.sha256).digest()

    refused(cavage(forge, algorithm="hmac-sha256"), alice_key.public_key(), "algorithm")
    refused(cavage(forge, algorithm="hs2019"), alice_key.public_key(), "does not verify")


@pytest.mark.parametrize("algorithm", ["rsa-sha1", "ecdsa-sha256", "rsa-sha512", "ed25519", "none"])
def test_s9_other_algorithm_names_are_refused(alice_key: rsa.RSAPrivateKey, algorithm: str) -> None:
    refused(cavage(pkcs1(alice_key), algorithm=algorithm), alice_key.public_key(), "algorithm")


@pytest.mark.parametrize("algorithm", ["hs2019", "RSA-SHA256", None])
def test_s9_hs2019_and_no_algorithm_verify_as_rsa_sha256(
    alice_key: rsa.RSAPrivateKey, algorithm: str | None
) -> None:
    check(cavage(pkcs1(alice_key), algorithm=algorithm), alice_key.public_key())


def test_s9_hs2019_never_means_rsa_pss(alice_key: rsa.RSAPrivateKey) -> None:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
    headers = cavage(lambda data: alice_key.sign(data, pss, hashes.SHA512()), algorithm="hs2019")
    refused(headers, alice_key.public_key(), "does not verify")


def test_s9_rsa_key_under_2048_bits_is_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the weak key under test
    refused(cavage(pkcs1(weak)), weak.public_key(), "2048")
    rfc = sign_request_rfc9421("POST", INBOX, {}, BODY, weak, KEY_ID, NOW)
    refused(rfc, weak.public_key(), "2048")


@pytest.mark.parametrize(
    "alg", ["hmac-sha256", "rsa-pss-sha512", "ecdsa-p256-sha256", "RSA-V1_5-SHA256"]
)
def test_s9_rfc9421_alg_other_than_rsa_v1_5_sha256_is_refused(
    alice_key: rsa.RSAPrivateKey, alg: str
) -> None:
    headers = sign_request_rfc9421("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    headers["Signature-Input"] = headers["Signature-Input"].replace("rsa-v1_5-sha256", alg)
    refused(headers, alice_key.public_key(), "algorithm")


def test_ed25519_keys_verify_ed25519_signatures() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    check(cavage(key.sign, algorithm="hs2019"), key.public_key())
    check(cavage(key.sign, algorithm="ed25519"), key.public_key())
    refused(cavage(key.sign), key.public_key(), "algorithm")
    check(rfc9421(key, algorithm=algorithms.ED25519), key.public_key())


# Host and key


def test_wrong_host_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request(
        "POST", "https://evil.example/users/bob/inbox", {}, BODY, alice_key, KEY_ID, NOW
    )
    refused(headers, alice_key.public_key(), "host")
    rfc = sign_request_rfc9421(
        "POST", "https://evil.example/users/bob/inbox", {}, BODY, alice_key, KEY_ID, NOW
    )
    refused(rfc, alice_key.public_key(), "does not verify")


def test_signature_by_another_key_is_refused(
    alice_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    headers = sign_request("POST", INBOX, {}, BODY, other_key, KEY_ID, NOW)
    refused(headers, alice_key.public_key(), "does not verify")
    rfc = sign_request_rfc9421("POST", INBOX, {}, BODY, other_key, KEY_ID, NOW)
    refused(rfc, alice_key.public_key(), "does not verify")


def test_other_request_target_or_method_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    headers = sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    refused(headers, alice_key.public_key(), "does not verify", target="/users/carol/inbox")
    rfc = sign_request_rfc9421("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW)
    refused(rfc, alice_key.public_key(), "does not verify", method="PUT")


def test_headers_swapped_after_parsing_are_refused(
    alice_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    parsed = parse_signature(sign_request("POST", INBOX, {}, BODY, alice_key, KEY_ID, NOW))
    swapped = sign_request("POST", INBOX, {}, BODY, other_key, KEY_ID, NOW)
    with pytest.raises(SignatureError, match="changed after parsing"):
        verify_request(
            "POST",
            TARGET,
            swapped,
            BODY,
            other_key.public_key(),
            parsed,
            expected_host=HOST,
            now=NOW,
        )


def test_signed_header_with_a_line_break_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    values = {
        "host": HOST,
        "date": http_date(NOW),
        "digest": digest_header(BODY),
        "x-a": "1\nhost: x",
    }
    headers = cavage(pkcs1(alice_key), "(request-target) host date digest x-a", values=values)
    refused(headers, alice_key.public_key(), "unprintable")


@pytest.mark.parametrize(
    "names", ["(request-target) host date digest x-gone", "(request-target) host date digest (foo)"]
)
def test_signed_header_that_is_absent_or_unknown_is_refused(
    alice_key: rsa.RSAPrivateKey, names: str
) -> None:
    headers = cavage(pkcs1(alice_key), "(request-target) host date digest")
    headers["Signature"] = headers["Signature"].replace(
        'headers="(request-target) host date digest"', f'headers="{names}"'
    )
    with pytest.raises(SignatureError):
        check(headers, alice_key.public_key())


# Garbage


def _garbage() -> list[str]:
    rng = random.Random(9421)
    noise = [rng.randbytes(300).decode("latin-1") for _ in range(5)]
    signature = 'signature="' + base64.b64encode(b"x" * 256).decode() + '"'
    return [
        *noise,
        "",
        "Signature",
        'keyId="' + "a" * 100_000 + f'",{signature}',
        f'keyId="{KEY_ID}",keyId="https://evil.example/k",{signature}',
        f'keyId="{KEY_ID}",KeyId="https://evil.example/k",{signature}',
        f'keyId="{KEY_ID},{signature}',
        f'keyId="{KEY_ID}",signature="abc',
        f"keyId={KEY_ID},{signature}",
        f'keyId="{KEY_ID}";{signature}',
        f'keyId="{KEY_ID}",{signature},',
        f'keyId="{KEY_ID}" {signature}',
        f'keyId="{KEY_ID}",headers="host  date",{signature}',
        f'keyId="{KEY_ID}",headers="host date host",{signature}',
        f'keyId="{KEY_ID}",signature="not base64!"',
        f'keyId="{KEY_ID}",signature=""',
        f'keyId="",{signature}',
        signature,
        f'keyId="{KEY_ID}",created="soon",{signature}',
        f'keyId="{KEY_ID}",created=99999999999999999999,{signature}',
        f'keyId="k\\"ey",{signature}',
        f'keyId="clé",{signature}',
    ]


@pytest.mark.parametrize("value", _garbage())
def test_garbage_cavage_signature_is_refused_by_parsing(value: str) -> None:
    with pytest.raises(SignatureError):
        parse_signature({"Signature": value})


_SIG = "sig1=:" + base64.b64encode(b"x" * 256).decode() + ":"


@pytest.mark.parametrize(
    ("signature_input", "signature"),
    [
        ('sig1=("@method");created=1;keyid="k"', None),
        ('sig1=("@method";created=1;keyid="k"', _SIG),
        ('sig1=("@method");created=1;keyid="k", sig2=("@method");created=1;keyid="k"', _SIG),
        ('sig1=("@method");created=1;keyid="k", sig1=("@path");created=1;keyid="k"', _SIG),
        ('sig1=("@method");created=1;created=2;keyid="k"', _SIG),
        ('sig2=("@method");created=1;keyid="k"', _SIG),
        ('sig1=("@method");created=1;keyid=k', _SIG),
        ('sig1=("@method");created=1', _SIG),
        ('sig1=("@method");created="1";keyid="k"', _SIG),
        ('sig1=("@method");created=?1;keyid="k"', _SIG),
        ('sig1=("@method");created=1;keyid="k";evil="x"', _SIG),
        ('sig1=("@method" "@method");created=1;keyid="k"', _SIG),
        ('sig1=(@method);created=1;keyid="k"', _SIG),
        ('sig1="@method";created=1;keyid="k"', _SIG),
        ('sig1=("@method");created=1;keyid="k"', 'sig1="abc"'),
        ('sig1=("@method");created=1;keyid="k"', "sig1=:abc:;x=1"),
        ('sig1=("@method");created=1;keyid="' + "a" * 100_000 + '"', _SIG),
        ("\x00\xff", _SIG),
    ],
)
def test_garbage_rfc9421_signature_is_refused_by_parsing(
    signature_input: str, signature: str | None
) -> None:
    headers = {"Signature-Input": signature_input}
    if signature is not None:
        headers["Signature"] = signature
    with pytest.raises(SignatureError):
        parse_signature(headers)


def test_request_without_signature_is_refused() -> None:
    with pytest.raises(SignatureError, match="no signature"):
        parse_signature({"Authorization": "Bearer token"})


# Keys


def test_load_public_key_is_cached(alice_key: rsa.RSAPrivateKey) -> None:
    pem = public_pem_of(alice_key)
    loaded = load_public_key(pem)
    assert loaded is load_public_key(pem)
    assert isinstance(loaded, rsa.RSAPublicKey)
    assert loaded.public_numbers() == alice_key.public_key().public_numbers()


@pytest.mark.parametrize(
    "pem", ["", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "é"]
)
def test_unreadable_public_key_is_a_signature_error(pem: str) -> None:
    with pytest.raises(SignatureError):
        load_public_key(pem)


def test_unsupported_key_type_is_refused(alice_key: rsa.RSAPrivateKey) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = ec_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    refused(cavage(pkcs1(alice_key), algorithm=None), load_public_key(pem.decode()), "key type")


def test_raw_fields_are_joined_as_a_mapping_of_them_is() -> None:
    raw = [
        (b"host", b"fedi.test"),
        (b"accept", b" application/json\t"),
        (b"Accept", b"text/html"),
        (b"x-caf\xe9", b"\xe9t\xe9"),
    ]
    expected = joined_fields(Headers(raw=raw))
    assert joined_raw_fields(raw) == expected
    assert expected["accept"] == "application/json, text/html"
