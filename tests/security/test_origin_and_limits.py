"""security.md A (origin, S14-S18), C (fetching) and E (resource limits), against scripted remote
servers over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from fedi.context import open_context
from fedi.core.config import load_settings
from fedi.db import statuses
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.federation.remote_accounts import ActorError, get_actor
from fedi.federation.remote_posts import MAX_REPLY_DEPTH, fetch_status
from tests.testrig.rig import BASE, INBOX, Rig, create, note

AS = "application/activity+json"


async def test_s14_a_document_whose_id_is_not_its_url_is_discarded(rig: Rig) -> None:
    rig.evil.put("/notes/1", {"id": f"{rig.victim.base}/notes/1", "type": "Note"})
    rig.evil.put("/notes/2", {"id": f"{rig.evil.base}/notes/elsewhere", "type": "Note"})
    rig.evil.put("/notes/elsewhere", {"id": f"{rig.evil.base}/notes/3", "type": "Note"})
    for path in ("/notes/1", "/notes/2"):
        with pytest.raises(DereferenceError):
            await fetch_document(rig.context, f"{rig.evil.base}{path}")
    # The victim's id was never fetched as if it were trusted.
    assert rig.victim.requests == []


@pytest.mark.parametrize("content_type", ["application/json", "text/html", "image/png"])
async def test_s15_documents_not_served_as_activitystreams_are_discarded(
    rig: Rig, content_type: str
) -> None:
    rig.evil.put(
        "/notes/1", {"id": f"{rig.evil.base}/notes/1", "type": "Note"}, content_type=content_type
    )
    with pytest.raises(DereferenceError, match="not served as ActivityStreams"):
        await fetch_document(rig.context, f"{rig.evil.base}/notes/1")


async def test_s16_a_cross_host_redirect_is_attributed_to_the_final_host(rig: Rig) -> None:
    rig.evil.redirect("/notes/1", f"{rig.victim.base}/notes/1")
    victim_note = f"{rig.victim.base}/notes/1"
    rig.victim.put(
        "/notes/1",
        {"id": victim_note, "type": "Note", "attributedTo": f"{rig.victim.base}/users/v"},
    )
    document = await fetch_document(rig.context, f"{rig.evil.base}/notes/1")
    assert document["id"] == f"{rig.victim.base}/notes/1"
    # A redirect whose target claims to be the first host's object is discarded.
    rig.evil.redirect("/notes/2", f"{rig.victim.base}/notes/2")
    rig.victim.put("/notes/2", {"id": f"{rig.evil.base}/notes/2", "type": "Note"})
    with pytest.raises(DereferenceError):
        await fetch_document(rig.context, f"{rig.evil.base}/notes/2")
    # A same-host redirect is fine.
    rig.evil.redirect("/notes/3", f"{rig.evil.base}/notes/4")
    rig.evil.put("/notes/4", {"id": f"{rig.evil.base}/notes/4", "type": "Note"})
    assert (await fetch_document(rig.context, f"{rig.evil.base}/notes/3"))["id"].endswith("/4")


async def test_s17_create_of_someone_elses_object_is_rejected(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    victim = f"{rig.victim.base}/users/alice"
    forged_author = create(mallory, note(mallory, attributedTo=victim))
    forged_host = create(mallory, note(mallory, 2, id=f"{rig.victim.base}/notes/2"), 2)
    for activity in (forged_author, forged_host):
        assert (await rig.post(mallory, activity)).status_code == 202
    await rig.process()
    for activity in (forged_author, forged_host):
        state = await rig.stored(activity["id"])
        assert state is not None and state[0] == "failed"
    async with rig.context.db.read() as conn:
        assert await statuses.get_by_uri(conn, f"{rig.victim.base}/notes/2") is None


async def test_s17_update_and_delete_of_someone_elses_post_are_rejected(rig: Rig) -> None:
    author = rig.victim.actor("author")
    mallory = rig.evil.actor("mallory")
    original = create(author, note(author))
    assert (await rig.post(author, original)).status_code == 202
    await rig.process()
    edited = note(author, content="<p>forged</p>")
    update = {
        "id": f"{rig.evil.base}/u/1",
        "type": "Update",
        "actor": mallory.uri,
        "object": edited,
    }
    delete = {"id": f"{rig.evil.base}/d/1", "type": "Delete", "actor": mallory.uri,
              "object": original["object"]["id"]}  # fmt: skip
    for activity in (update, delete):
        assert (await rig.post(mallory, activity)).status_code == 202
    await rig.process()
    async with rig.context.db.read() as conn:
        kept = await statuses.get_by_uri(conn, original["object"]["id"])
    assert kept is not None and kept.content == "<p>hello</p>"
    for activity_id in (update["id"], delete["id"]):
        state = await rig.stored(str(activity_id))
        assert state is not None and state[0] == "failed"


async def test_s18_nothing_claiming_our_domain_is_fetched_or_believed(rig: Rig) -> None:
    with pytest.raises(DereferenceError, match="our own domain"):
        await fetch_document(rig.context, f"{BASE}/users/alice")
    rig.evil.put("/users/fake", {"id": f"{BASE}/users/fake", "type": "Person"})
    with pytest.raises(DereferenceError):
        await fetch_document(rig.context, f"{rig.evil.base}/users/fake")
    # An actor whose key lives on our domain cannot sign for itself.
    mallory = rig.evil.actor("mallory", publicKey={"id": f"{BASE}/users/alice#main-key",
                                                   "owner": f"{rig.evil.base}/users/mallory",
                                                   "publicKeyPem": "x"})  # fmt: skip
    with pytest.raises(ActorError):
        await get_actor(rig.context, mallory.uri)


async def test_f1_a_strict_instance_refuses_to_fetch_loopback(tmp_path: Path, rig: Rig) -> None:
    """Without FEDI_ALLOW_PRIVATE_NETWORKS, a key that lives on a loopback address is never
    fetched, whatever name points there."""
    mallory = rig.evil.actor("mallory")
    settings = load_settings({"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path / "s")})
    async with open_context(settings) as strict:
        for uri in (mallory.uri, f"http://127.0.0.1:{rig.evil.port}/users/mallory",
                    f"http://[::ffff:127.0.0.1]:{rig.evil.port}/users/mallory",
                    f"http://2130706433:{rig.evil.port}/users/mallory"):  # fmt: skip
            with pytest.raises(ActorError):
                await get_actor(strict, uri)
    assert rig.evil.requests == []


async def test_r1_oversized_bodies_are_413_before_any_key_fetch(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    activity = create(mallory, note(mallory, content="x" * 1_100_000))
    body = json.dumps(activity).encode()
    signed = mallory.sign("POST", INBOX, body)
    response = await rig.client.post(INBOX, content=body, headers=signed)
    assert response.status_code == 413

    # A Content-Length that lies: declared small, the body keeps coming.
    async def stream() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 100_000

    lying = await rig.client.post(
        INBOX,
        content=stream(),
        headers=signed | {"Content-Length": "10"},
    )
    assert lying.status_code in (400, 413)
    assert rig.fetches() == []


async def test_r2_deep_json_is_400(rig: Rig) -> None:
    body = b'{"id": "x", "a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    response = await rig.client.post(INBOX, content=body, headers={"Content-Type": AS})
    assert response.status_code == 400
    assert "nests deeper" in response.json()["error"]
    assert rig.fetches() == []


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"type": "Create"}', b'{"id": "https://x.example/1", "type": "Create"}',
     b'{"id": 5, "type": "Create", "actor": "https://x.example/a"}', b"\xff\xfe"],
)  # fmt: skip
async def test_malformed_activities_are_400(rig: Rig, body: bytes) -> None:
    response = await rig.client.post(INBOX, content=body, headers={"Content-Type": AS})
    assert response.status_code == 400
    assert response.json()["error"]


async def test_r3_huge_notes_are_bounded(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    big = note(
        mallory,
        type="Question",
        oneOf=[{"type": "Note", "name": f"option {n}"} for n in range(10_000)],
        tag=[{"type": "Hashtag", "name": f"#t{n}"} for n in range(5_000)]
        + [{"type": "Mention", "href": f"{BASE}/users/alice"}],
        attachment=[{"type": "Document", "url": f"{rig.evil.base}/m/{n}.png"} for n in range(100)],
        name="n" * 1_000_000,
    )
    body_size = len(json.dumps(create(mallory, big)))
    if body_size > 1_048_576:  # the 1 MB name alone is refused at the door
        big["name"] = "n" * 200_000
    assert (await rig.post(mallory, create(mallory, big))).status_code == 202
    await rig.process()
    async with rig.context.db.read() as conn:
        status = await statuses.get_by_uri(conn, big["id"])
        assert status is not None
        details = await statuses.details(conn, status.id)
    assert details.poll is not None and len(details.poll.options) == 20
    assert len(details.tags) <= 64
    assert len(details.attachments) <= 16
    too_long = create(mallory, note(mallory, 2, content="x" * 200_000), 2)
    assert (await rig.post(mallory, too_long)).status_code == 202
    await rig.process()
    state = await rig.stored(too_long["id"])
    assert state is not None and state[0] == "failed"


async def test_r4_an_endless_reply_chain_stops_at_the_depth_limit(rig: Rig) -> None:
    author = rig.evil.actor("chain")
    for n in range(200):  # each note answers the next one; the last answers the first (a cycle)
        rig.evil.put(
            f"/notes/{n}",
            note(author, n, inReplyTo=f"{rig.evil.base}/notes/{(n + 1) % 200}"),
        )
    await fetch_status(rig.context, f"{rig.evil.base}/notes/0")
    fetched = [p for p in rig.evil.requests if p.startswith("/notes/")]
    assert MAX_REPLY_DEPTH <= len(fetched) <= MAX_REPLY_DEPTH + 2


async def test_r6_a_delete_from_an_unknown_actor_fetches_nothing(rig: Rig) -> None:
    ghost = rig.evil.actor("ghost")
    delete = {
        "id": f"{rig.evil.base}/d/1",
        "type": "Delete",
        "actor": ghost.uri,
        "object": ghost.uri,
    }
    assert (await rig.post(ghost, delete)).status_code == 202
    assert rig.fetches() == []


async def test_an_rfc9421_signature_is_accepted(rig: Rig) -> None:
    """Mastodon 4.5 and Fedify 2 sign with RFC 9421."""
    from fedi.core.timeutil import utcnow
    from keys.httpsig import sign_request_rfc9421

    actor = rig.evil.actor("modern")
    activity = create(actor, note(actor))
    body = json.dumps(activity).encode()
    headers = sign_request_rfc9421(
        "POST", INBOX, {}, body, actor.private_key, actor.key_id, utcnow()
    )
    response = await rig.client.post(INBOX, content=body, headers=headers)
    assert response.status_code == 202


async def test_an_unsupported_signature_is_401_not_500(rig: Rig) -> None:
    for header in (
        'keyId="x"',
        'garbage"',
        "Signature " * 2000,
        'keyId="https://evil.test/k",signature="!!"',
    ):
        response = await rig.client.post(
            INBOX, content=b'{"id":"https://e.example/1","type":"Follow","actor":"https://e.example/a"}',
            headers={"Signature": header, "Content-Type": AS},
        )  # fmt: skip
        assert response.status_code == 401
        assert response.json()["error"]


async def test_f5_remote_attachments_are_never_stored_or_served_here(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    hostile = note(
        mallory,
        attachment=[
            {"type": "Document", "mediaType": "text/html", "url": f"{rig.evil.base}/../../x.json"},
            {"type": "Document", "mediaType": "image/svg+xml", "url": "javascript:alert(1)"},
            {"type": "Document", "mediaType": "image/png", "url": "file:///etc/passwd"},
        ],
    )
    assert (await rig.post(mallory, create(mallory, hostile))).status_code == 202
    await rig.process()
    async with rig.context.db.read() as conn:
        status = await statuses.get_by_uri(conn, hostile["id"])
        assert status is not None
        details = await statuses.details(conn, status.id)
    # Only the http(s) reference is kept, as a link to its origin; nothing was downloaded.
    assert [a.url for a in details.attachments] == [f"{rig.evil.base}/../../x.json"]
    assert list(rig.context.settings.media_dir.iterdir()) == []
    assert not any(p.startswith("/x.json") or p.endswith(".json") for p in rig.evil.requests)
    served = await rig.client.get("/media/x.json")
    assert served.status_code == 404
    assert isinstance(served, httpx.Response)


async def test_s13_a_routine_refetch_does_not_swap_the_key(rig: Rig) -> None:
    actor = rig.evil.actor("mallory")
    first = await get_actor(rig.context, actor.uri)
    rig.evil.actor("mallory")  # the document now lists another key
    refreshed = await get_actor(rig.context, actor.uri, refresh=True)
    assert refreshed.public_key_pem == first.public_key_pem
    assert len([p for p in rig.evil.requests if p == "/users/mallory"]) == 2


async def test_ids_are_compared_as_urls_not_as_strings(rig: Rig) -> None:
    shouting = f"http://EVIL.test:{rig.evil.port}/notes/1"
    rig.evil.put("/notes/1", {"id": shouting, "type": "Note"})
    assert (await fetch_document(rig.context, f"{rig.evil.base}/notes/1"))["id"] == shouting
