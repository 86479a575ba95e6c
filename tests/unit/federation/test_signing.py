"""The delivery signer: cavage_headers makes byte for byte what keys.httpsig.sign_request makes
(draft-cavage, as Mastodon signs), what it makes verifies, and a SigningBatch signs the requests
that are ready together without mixing them up."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.federation.signing import AHEAD_FOR, SigningBatch, cavage_headers, signer_for
from keys.httpsig import SignatureError, parse_signature, sign_request, verify_request
from keys.keypair import load_private_key
from tests.testrig.keys import next_private_key

NOW = datetime(2025, 3, 1, 12, 0, 7, 250_000, tzinfo=UTC)
KEY_ID = "https://fedi.test/users/alice#main-key"
BODY = b'{"type": "Create", "id": "https://fedi.test/users/alice/statuses/1/activity"}'
URLS = [
    "https://mastodon.example/inbox",
    "http://h1.test:8080/users/bob/inbox?page=2",
    "https://[2001:db8::1]:8443/inbox",
    "https://Example.ORG:443/inbox",
    "https://example.org",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(("method", "body"), [("POST", BODY), ("GET", None)])
def test_makes_exactly_the_headers_sign_request_makes(
    url: str, method: str, body: bytes | None
) -> None:
    key = next_private_key()
    headers = {"Content-Type": "application/activity+json", "User-Agent": "fedi",
               "signature": "stale", "DIGEST": "stale", "Host": "elsewhere.example"}  # fmt: skip
    made = cavage_headers(method, url, headers, body, key, KEY_ID, NOW)
    assert made == sign_request(method, url, headers, body, key, KEY_ID, NOW)
    assert list(made) == list(sign_request(method, url, headers, body, key, KEY_ID, NOW))


def test_what_it_makes_verifies_and_a_changed_body_does_not() -> None:
    key = next_private_key()
    url = "https://mastodon.example/users/bob/inbox"
    made = cavage_headers("POST", url, {}, BODY, key, KEY_ID, NOW)
    parsed = parse_signature(made)
    assert list(parsed.components) == ["(request-target)", "host", "date", "digest"]
    verify_request("POST", "/users/bob/inbox", made, BODY, key.public_key(), parsed,
                   expected_host="mastodon.example", now=NOW)  # fmt: skip
    with pytest.raises(SignatureError, match=r"(?i)digest"):
        verify_request("POST", "/users/bob/inbox", made, BODY + b" ", key.public_key(), parsed,
                       expected_host="mastodon.example", now=NOW)  # fmt: skip


def test_a_new_second_gets_a_new_date() -> None:
    key = next_private_key()
    first = cavage_headers("POST", URLS[0], {}, BODY, key, KEY_ID, NOW)
    later = cavage_headers("POST", URLS[0], {}, BODY, key, KEY_ID, NOW + timedelta(seconds=1))
    assert first["Date"] == "Sat, 01 Mar 2025 12:00:07 GMT"
    assert later["Date"] == "Sat, 01 Mar 2025 12:00:08 GMT"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        cavage_headers(
            "POST", URLS[0], {}, BODY, next_private_key(), KEY_ID, NOW.replace(tzinfo=None)
        )


async def test_a_batch_signs_each_request_for_its_own_url_and_body(context: Context) -> None:
    alice = await add_member(context, "alice", "alice-password")
    batch = SigningBatch()
    sign = signer_for(context, alice.account, batch)
    urls = [f"https://h{n}.example/inbox" for n in range(20)]
    bodies = [BODY + str(n).encode() for n in range(20)]
    waiting = [
        asyncio.ensure_future(sign("POST", u, {}, b)) for u, b in zip(urls, bodies, strict=True)
    ]
    waiting[3].cancel()  # a request given up on meanwhile leaves the others be
    await asyncio.gather(*waiting, return_exceptions=True)
    public = load_private_key(context.keys.path_for(alice.account.id).read_text()).public_key()
    for n, (url, body, done) in enumerate(zip(urls, bodies, waiting, strict=True)):
        if n == 3:
            assert done.cancelled()
            continue
        made = done.result()
        verify_request("POST", "/inbox", made, body, public, parse_signature(made),
                       expected_host=url.split("/")[2], now=datetime.now(UTC))  # fmt: skip


async def test_a_key_id_that_cannot_be_sent_is_refused_up_front(context: Context) -> None:
    alice = await add_member(context, "alice", "alice-password")
    account = alice.account
    broken = dataclasses.replace(account, public_key_id='https://x"y')
    with pytest.raises(ValueError, match="key id"):
        signer_for(context, broken)


async def test_a_request_signed_ahead_takes_that_signature_while_it_is_fresh() -> None:
    key = next_private_key()
    now = [100.0]
    batch = SigningBatch(clock=lambda: now[0])
    url, other = "https://mastodon.example/inbox", "https://other.example/inbox"
    batch.sign_ahead(
        [("POST", url, {}, BODY, key, KEY_ID, NOW), ("POST", other, {}, BODY, key, KEY_ID, NOW)]
    )
    headers = {"Content-Type": "application/activity+json", "Date": "stale"}
    made = await batch.sign(("POST", url, headers, BODY, key, KEY_ID, NOW + timedelta(minutes=1)))
    assert made == cavage_headers("POST", url, headers, BODY, key, KEY_ID, NOW)  # its own Date
    # Taken once: asked again, the request is signed then, as is one whose signature is stale.
    again = await batch.sign(("POST", url, {}, BODY, key, KEY_ID, NOW + timedelta(minutes=1)))
    assert again["Date"] == "Sat, 01 Mar 2025 12:01:07 GMT"
    now[0] += AHEAD_FOR
    late = await batch.sign(("POST", other, {}, BODY, key, KEY_ID, NOW + timedelta(minutes=1)))
    assert late["Date"] == "Sat, 01 Mar 2025 12:01:07 GMT"
    # Another body, or another key, is not the request signed ahead.
    batch.sign_ahead([("POST", url, {}, BODY, key, KEY_ID, NOW)])
    changed = await batch.sign(
        ("POST", url, {}, BODY + b" ", key, KEY_ID, NOW + timedelta(minutes=1))
    )
    assert changed["Date"] == "Sat, 01 Mar 2025 12:01:07 GMT"
    elsewhere = "https://fedi.test/users/bob#main-key"
    made = await batch.sign(("POST", url, {}, BODY, key, elsewhere, NOW + timedelta(minutes=1)))
    assert made["Date"] == "Sat, 01 Mar 2025 12:01:07 GMT" and elsewhere in made["Signature"]


async def test_an_account_signer_signs_ahead_only_in_a_batch(context: Context) -> None:
    alice = await add_member(context, "alice", "alice-password")
    url = "https://mastodon.example/inbox"
    alone = signer_for(context, alice.account)
    alone.sign_ahead([(url, BODY)])  # nothing to keep it in: signed when asked
    batch = SigningBatch()
    sign = signer_for(context, alice.account, batch)
    sign.sign_ahead([(url, BODY), ("not a url", BODY)])  # the second fails when asked, alone
    public = load_private_key(context.keys.path_for(alice.account.id).read_text()).public_key()
    for signer in (alone, sign):
        made = await signer("POST", url, {}, BODY)
        verify_request("POST", "/inbox", made, BODY, public, parse_signature(made),
                       expected_host="mastodon.example", now=datetime.now(UTC))  # fmt: skip
    with pytest.raises(ValueError, match="without a host"):
        await sign("POST", "not a url", {}, BODY)
