"""security.md section A, through the inbox: every request a real remote might forge."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from fedi.core.timeutil import utcnow
from keys.digest import digest_header
from tests.testrig.fake_remote import RemoteActor
from tests.testrig.rig import INBOX, Rig, create, note


async def test_s1_unsigned_post_is_refused_before_anything_is_stored_or_fetched(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    activity = create(actor, note(actor))
    response = await rig.client.post(INBOX, json=activity)
    assert response.status_code == 401
    assert response.json()["error"]
    assert await rig.stored(activity["id"]) is None
    assert rig.fetches() == []


async def test_a_valid_signature_is_accepted_and_processed_once(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    activity = create(actor, note(actor))
    first = await rig.post(actor, activity)
    second = await rig.post(actor, activity)  # S8: the same activity again
    assert (first.status_code, second.status_code) == (202, 202)
    assert await rig.process() == 1
    assert await rig.stored(activity["id"]) == ("done", None)


async def test_s2_body_changed_after_signing(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    activity = create(actor, note(actor))
    signed = actor.sign("POST", INBOX, json.dumps(activity).encode())
    tampered = json.dumps(create(actor, note(actor, content="<p>changed</p>"))).encode()
    response = await rig.client.post(INBOX, content=tampered, headers=signed)
    assert response.status_code == 401
    assert await rig.stored(activity["id"]) is None


def sign_over(actor: RemoteActor, names: list[str], body: bytes) -> dict[str, str]:
    """A draft-cavage signature over exactly `names`, made with the actor's real key."""
    values = {
        "(request-target)": "post /users/alice/inbox",
        "host": "fedi.test",
        "date": utcnow().strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "digest": digest_header(body),
    }
    string = "\n".join(f"{name}: {values[name]}" for name in names)
    signature = actor.private_key.sign(string.encode(), padding.PKCS1v15(), hashes.SHA256())
    header = (
        f'keyId="{actor.key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return {"Date": values["date"], "Digest": values["digest"], "Signature": header}


async def test_signature_helper_makes_acceptable_signatures(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    body = json.dumps(create(actor, note(actor))).encode()
    headers = sign_over(actor, ["(request-target)", "host", "date", "digest"], body)
    assert (await rig.client.post(INBOX, content=body, headers=headers)).status_code == 202


async def test_s3_digest_missing_from_signed_headers_or_absent_or_weak(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    body = json.dumps(create(actor, note(actor))).encode()
    uncovered = sign_over(actor, ["(request-target)", "host", "date"], body)
    assert (await rig.client.post(INBOX, content=body, headers=uncovered)).status_code == 401
    signed = actor.sign("POST", INBOX, body)
    without_digest = {k: v for k, v in signed.items() if k.lower() != "digest"}
    assert (await rig.client.post(INBOX, content=body, headers=without_digest)).status_code == 401
    sha512 = base64.b64encode(hashlib.sha512(body).digest()).decode()
    weak = signed | {"Digest": f"SHA-512={sha512}"}
    assert (await rig.client.post(INBOX, content=body, headers=weak)).status_code == 401


async def test_s4_signature_without_target_host_or_date(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    body = json.dumps(create(actor, note(actor))).encode()
    for names in (["date"], ["host", "date", "digest"], ["(request-target)", "date", "digest"],
                  ["(request-target)", "host", "digest"]):  # fmt: skip
        headers = sign_over(actor, names, body)
        assert (await rig.client.post(INBOX, content=body, headers=headers)).status_code == 401


async def test_s7_dates_out_of_the_window(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    for n, moment in enumerate((utcnow() - timedelta(hours=2), utcnow() + timedelta(hours=2))):
        activity = create(actor, note(actor, n), n)
        body = json.dumps(activity).encode()
        signed = actor.sign("POST", INBOX, body, now=moment)
        assert (await rig.client.post(INBOX, content=body, headers=signed)).status_code == 401
    body = json.dumps(create(actor, note(actor, 9), 9)).encode()
    signed = actor.sign("POST", INBOX, body) | {"Date": "yesterday-ish"}
    assert (await rig.client.post(INBOX, content=body, headers=signed)).status_code == 401


async def test_s9_hmac_with_the_public_key_forges_nothing(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    body = json.dumps(create(actor, note(actor))).encode()
    date = utcnow().strftime("%a, %d %b %Y %H:%M:%S GMT")
    signing_string = (
        f"(request-target): post /users/alice/inbox\nhost: fedi.test\ndate: {date}\n"
        f"digest: {digest_header(body)}"
    )
    pem = actor.document["publicKey"]["publicKeyPem"].encode()
    forged = base64.b64encode(hmac.new(pem, signing_string.encode(), hashlib.sha256).digest())
    for algorithm in ("hmac-sha256", "rsa-sha1"):
        header = (
            f'keyId="{actor.key_id}",algorithm="{algorithm}",'
            f'headers="(request-target) host date digest",signature="{forged.decode()}"'
        )
        headers = {"Date": date, "Digest": digest_header(body), "Signature": header}
        assert (await rig.client.post(INBOX, content=body, headers=headers)).status_code == 401


async def test_s9_short_rsa_keys_are_refused(rig: Rig) -> None:
    weak = rig.evil.actor("weakling", bits=1024)
    response = await rig.post(weak, create(weak, note(weak)))
    assert response.status_code == 401


async def test_hs2019_verifies_as_rsa_sha256(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    activity = create(actor, note(actor))
    body = json.dumps(activity).encode()
    signed = actor.sign("POST", INBOX, body)
    signed["Signature"] = signed["Signature"].replace(
        'algorithm="rsa-sha256"', 'algorithm="hs2019"'
    )
    assert (await rig.client.post(INBOX, content=body, headers=signed)).status_code == 202


async def test_s10_signer_must_be_the_actor(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    alice = rig.victim.actor("alice")
    activity = create(alice, note(alice))  # claims to come from victim's alice
    response = await rig.post(mallory, activity)  # but is signed by evil's mallory
    assert response.status_code == 401
    assert "actor" in response.json()["error"]
    assert await rig.stored(activity["id"]) is None


async def test_s11_key_owner_on_another_host(rig: Rig) -> None:
    victim = rig.victim.actor("alice")
    # evil.test serves a key document claiming victim's alice as owner.
    mallory = rig.evil.actor("mallory")
    rig.evil.put(
        "/keys/1",
        {"id": f"{rig.evil.base}/keys/1", "owner": victim.uri,
         "publicKeyPem": mallory.document["publicKey"]["publicKeyPem"]},
    )  # fmt: skip
    forged = type(mallory)(victim.uri, f"{rig.evil.base}/keys/1", mallory.private_key, {})
    response = await rig.post(forged, create(victim, note(victim)))
    assert response.status_code == 401


async def test_s11_owner_must_list_the_key(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    other_key = rig.evil.actor("decoy")
    # A key document on evil.test owned by mallory, but mallory's actor lists another key.
    rig.evil.put(
        "/keys/2",
        {"id": f"{rig.evil.base}/keys/2", "owner": mallory.uri,
         "publicKeyPem": other_key.document["publicKey"]["publicKeyPem"]},
    )  # fmt: skip
    forged = type(mallory)(mallory.uri, f"{rig.evil.base}/keys/2", other_key.private_key, {})
    assert (await rig.post(forged, create(mallory, note(mallory)))).status_code == 401


async def test_s12_a_rotated_key_is_refetched_once(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    assert (await rig.post(actor, create(actor, note(actor, 1), 1))).status_code == 202
    rotated = rig.evil.actor("mallory")  # same id, new key served
    fetches_before = rig.evil.requests.count("/users/mallory")
    assert (await rig.post(rotated, create(rotated, note(rotated, 2), 2))).status_code == 202
    assert rig.evil.requests.count("/users/mallory") == fetches_before + 1


async def test_s12_a_flood_of_bad_signatures_costs_one_refetch(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    assert (await rig.post(actor, create(actor, note(actor, 1), 1))).status_code == 202
    impostor = type(actor)(actor.uri, actor.key_id, rig.evil.actor("other").private_key, {})
    rig.evil.put("/users/mallory", actor.document)  # the real key stays published
    before = rig.evil.requests.count("/users/mallory")
    for n in range(100):
        response = await rig.post(impostor, create(actor, note(actor, 100 + n), 100 + n))
        assert response.status_code == 401
    assert rig.evil.requests.count("/users/mallory") - before <= 1


async def test_s12_the_cool_off_holds_when_the_refetch_itself_fails(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    assert (await rig.post(actor, create(actor, note(actor, 1), 1))).status_code == 202
    impostor = type(actor)(actor.uri, actor.key_id, rig.evil.actor("other").private_key, {})
    rig.evil.put("/users/mallory", b"gone", status=500, content_type="text/plain")
    before = rig.evil.requests.count("/users/mallory")
    for n in range(20):
        response = await rig.post(impostor, create(actor, note(actor, 100 + n), 100 + n))
        assert response.status_code == 401
    assert rig.evil.requests.count("/users/mallory") - before <= 1


async def test_a_key_id_naming_an_internal_host_learns_nothing_about_the_network(
    rig: Rig,
) -> None:
    """The 401 says the key cannot be used, never why the fetch failed: a resolver's or the
    address guard's text would map internal names for anyone."""
    actor = rig.evil.actor("mallory")
    body = json.dumps(create(actor, note(actor))).encode()
    for key_id in ("https://localhost/users/x#main-key", "https://10.1.2.3/users/x#main-key",
                   "https://intranet.invalid/users/x#main-key"):  # fmt: skip
        headers = sign_over(actor, ["(request-target)", "host", "date", "digest"], body)
        headers["Signature"] = headers["Signature"].replace(actor.key_id, key_id)
        response = await rig.client.post(INBOX, content=body, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error": "the signing key cannot be used"}, response.text
