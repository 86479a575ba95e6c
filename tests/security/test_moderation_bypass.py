"""security.md section G through real requests: the instance's domain blocks and suspensions hold
on every path in and out (scripted remotes record every request they get, so "nothing fetched"
and "nothing delivered" are checked, not assumed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fedi.accounts.members import MemberError
from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows
from fedi.db.domain_rules import BlockFields
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.federation.remote_accounts import ActorError, get_actor, resolve_handle
from fedi.federation.remote_posts import status_by_uri
from fedi.moderation.domain_rules import allow_domain, block_domain, set_allowlist_mode
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from outbox.worker import OutboxWorker
from tests.testrig.fake_remote import FakeRemote, RemoteActor
from tests.testrig.rig import BASE, Rig, create, note

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS_JSON = "application/activity+json"


async def suspend(rig: Rig, domain: str) -> None:
    await block_domain(rig.context, None, domain, BlockFields(severity="suspend"))


async def alice(rig: Rig) -> Account:
    async with rig.context.db.read() as conn:
        account = await accounts.get_local_actor(conn, "alice")
    assert account is not None
    return account


async def accepted_follow(rig: Rig, follower: Account, followed: Account) -> None:
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: follows.upsert_follow(
            conn,
            follower_id=follower.id,
            followed_id=followed.id,
            uri=f"{follower.uri}#follows/{new_id()}",
            state="accepted",
            now=now,
        )
    )


async def followed_by_alice(rig: Rig, actor: RemoteActor) -> Account:
    """The remote actor, stored, with alice following it (so its boosts concern someone here)."""
    account = await get_actor(rig.context, actor.uri)
    await accepted_follow(rig, await alice(rig), account)
    return account


def announce(actor: RemoteActor, obj: Any, n: int) -> dict[str, Any]:
    base = actor.uri.rsplit("/users/", 1)[0]
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{base}/announces/{n}",
        "type": "Announce",
        "actor": actor.uri,
        "to": [PUBLIC],
        "object": obj,
    }


def create_of(actor: RemoteActor, obj: Any, n: int = 1) -> dict[str, Any]:
    """A Create of an embedded object, or of one named by its id only."""
    if isinstance(obj, dict):
        return create(actor, obj, n)
    return create(actor, {"id": obj, "to": [PUBLIC]}, n) | {"object": obj}


def served_note(remote: FakeRemote, author: RemoteActor, n: int, **fields: Any) -> dict[str, Any]:
    """A public note by author, served by remote at /notes/<n>."""
    obj = note(author, n, **fields)
    remote.put(f"/notes/{n}", obj)
    return obj


def posing(actor: RemoteActor, host: str) -> RemoteActor:
    """An actor claiming to live on host, signing with a key the test holds."""
    uri = f"http://{host}/users/mallory"
    return RemoteActor(uri, f"{uri}#main-key", actor.private_key, {})


async def deliveries(rig: Rig) -> list[tuple[str, str]]:
    async with rig.context.db.read() as conn:
        cursor = await conn.execute("SELECT host, state FROM deliveries ORDER BY id")
        return [(row[0], row[1]) for row in await cursor.fetchall()]


# M1 and M8: refused before anything is fetched, whatever is asked.


async def test_m1_signed_post_from_a_blocked_domain_is_refused_before_any_fetch(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    await suspend(rig, "evil.test")
    activity = create(mallory, note(mallory))
    response = await rig.post(mallory, activity)
    assert response.status_code == 403
    assert await rig.stored(activity["id"]) is None
    assert rig.fetches() == []  # no key fetch, no request of any kind


async def test_m1_a_signature_from_a_blocked_domain_is_refused_on_any_route(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    friend = rig.other.actor("friend")
    await suspend(rig, "evil.test")
    # A blocked key signing for an allowed actor: refused on the key's host, nothing fetched.
    activity = create(friend, note(friend))
    raw = json.dumps(activity).encode()
    headers = mallory.sign("POST", f"{BASE}/inbox", raw)
    response = await rig.client.post("/inbox", content=raw, headers=headers)
    assert response.status_code == 403
    assert rig.fetches() == []


async def test_m1_in_allowlist_mode_a_domain_off_the_list_is_refused_unfetched(rig: Rig) -> None:
    stranger = rig.other.actor("stranger")
    friend = rig.victim.actor("friend")
    await allow_domain(rig.context, None, "victim.test")
    await set_allowlist_mode(rig.context, None, True)
    refused = create(stranger, note(stranger))
    assert (await rig.post(stranger, refused)).status_code == 403
    assert rig.other.requests == []
    allowed = create(friend, note(friend))
    assert (await rig.post(friend, allowed)).status_code == 202


async def test_m8_signed_gets_from_a_blocked_domain_are_refused(rig: Rig) -> None:
    mallory = rig.evil.actor("mallory")
    post = await post_status(rig.context, "alice", "public words")
    await suspend(rig, "evil.test")
    for path in ("/users/alice", f"/users/alice/statuses/{post.id}", "/users/alice/outbox",
                 "/users/alice/followers", "/actor"):  # fmt: skip
        url = f"{BASE}{path}"
        headers = mallory.sign("GET", url, None) | {"Accept": AS_JSON}
        response = await rig.client.get(url, headers=headers)
        assert response.status_code == 403, path
    assert rig.fetches() == []


# M2: label boundaries and the longest rule, through real inbox requests.


async def test_m2_a_rule_covers_subdomains_on_label_boundaries_only(rig: Rig) -> None:
    evil = rig.evil.actor("mallory")
    await suspend(rig, "evil.test")
    await suspend(rig, "ample.test")  # not example.test: "ample" is not one of its labels
    await suspend(rig, "other")  # not other.test: a rule names whole trailing labels
    deep = posing(evil, "a.b.evil.test")
    response = await rig.post(deep, create(deep, note(deep)))
    assert response.status_code == 403
    assert rig.fetches() == []
    for remote in (rig.example, rig.other):
        actor = remote.actor("someone")
        activity = create(actor, note(actor))
        assert (await rig.post(actor, activity)).status_code == 202, remote.name


async def test_m2_the_longest_rule_wins(rig: Rig) -> None:
    await suspend(rig, "test")
    await block_domain(rig.context, None, "victim.test", BlockFields(severity="noop"))
    victim, lemmy = rig.victim.actor("v"), rig.lemmy.actor("l")
    assert (await rig.post(victim, create(victim, note(victim)))).status_code == 202
    assert (await rig.post(lemmy, create(lemmy, note(lemmy)))).status_code == 403
    assert rig.lemmy.requests == []


# M4: a boost of a blocked domain's post is dropped, the post never fetched.


async def test_m4_boosts_of_posts_from_a_blocked_domain_are_dropped_unfetched(rig: Rig) -> None:
    booster = rig.other.actor("booster")
    author = rig.evil.actor("author")
    honest = rig.victim.actor("honest")
    await followed_by_alice(rig, booster)
    await suspend(rig, "evil.test")
    evil_note = served_note(rig.evil, author, 1)
    forged = note(honest, 2, attributedTo=author.uri)  # on an allowed host, by a blocked author
    rig.victim.put("/notes/3", note(honest, 3, attributedTo=author.uri))
    objects: list[Any] = [
        evil_note["id"],  # by id
        evil_note,  # embedded
        forged,  # embedded, attributed to a blocked actor by URI
        {**forged, "attributedTo": {"id": author.uri, "type": "Person"}},  # embedded author
        {"id": f"{rig.evil.base}/activities/9", "type": "Create", "actor": author.uri,
         "object": forged},  # a group relaying a blocked author's Create
        f"{rig.victim.base}/notes/3",  # fetched from an allowed host: its author is checked
    ]  # fmt: skip
    for n, obj in enumerate(objects):
        activity = announce(booster, obj, n)
        assert (await rig.post(booster, activity)).status_code == 202
        await rig.process()
        assert await rig.stored(activity["id"]) == ("done", None), n
        assert await status_by_uri(rig.context, activity["id"]) is None, n
    assert rig.evil.requests == []
    for uri in (evil_note["id"], forged["id"], f"{rig.victim.base}/notes/3"):
        assert await status_by_uri(rig.context, uri) is None
    # The same boost of an allowed author's post goes through: the path above is the real one.
    fine = served_note(rig.victim, honest, 4)
    activity = announce(booster, fine["id"], 99)
    await rig.post(booster, activity)
    await rig.process()
    assert await status_by_uri(rig.context, activity["id"]) is not None


# M5: a post by a blocked author relayed by an allowed actor is dropped.


async def test_m5_a_relayed_create_by_a_blocked_author_is_dropped(rig: Rig) -> None:
    relay = rig.other.actor("relay")
    author = rig.evil.actor("author")
    await suspend(rig, "evil.test")
    evil_note = served_note(rig.evil, author, 1)
    for n, obj in enumerate([evil_note, evil_note["id"], note(relay, 5, attributedTo=author.uri)]):
        activity = create_of(relay, obj, n)
        assert (await rig.post(relay, activity)).status_code == 202
        await rig.process()
        assert await rig.stored(activity["id"]) == ("done", None)
    assert rig.evil.requests == []
    assert await status_by_uri(rig.context, evil_note["id"]) is None
    assert await status_by_uri(rig.context, f"{rig.other.base}/notes/5") is None


async def test_m5_activities_of_a_suspended_account_are_dropped(rig: Rig) -> None:
    victim = rig.victim.actor("spammer")
    account = await followed_by_alice(rig, victim)
    await rig.context.db.write(
        lambda conn: accounts.set_suspended(conn, account.id, to_db(utcnow()))
    )
    activity = create(victim, note(victim))
    assert (await rig.post(victim, activity)).status_code == 202
    await rig.process()
    assert await rig.stored(activity["id"]) == ("done", None)
    assert await status_by_uri(rig.context, activity["object"]["id"]) is None


async def test_an_activity_whose_domain_is_blocked_after_receipt_is_dropped(rig: Rig) -> None:
    friend = rig.victim.actor("friend")
    served_note(rig.victim, friend, 7)
    activity = create_of(friend, f"{rig.victim.base}/notes/7")
    assert (await rig.post(friend, activity)).status_code == 202
    before = list(rig.victim.requests)
    await suspend(rig, "victim.test")
    await rig.process()
    assert await rig.stored(activity["id"]) == ("done", None)
    assert rig.victim.requests == before  # the note was never fetched


async def test_a_refused_fetch_is_not_retried(rig: Rig) -> None:
    await suspend(rig, "evil.test")
    with pytest.raises(DereferenceError) as raised:
        await fetch_document(rig.context, f"{rig.evil.base}/notes/1")
    assert raised.value.retryable is False
    assert rig.evil.requests == []


# M6: no thread fetch from, and no delivery to, a blocked domain.


async def test_m6_a_reply_to_a_blocked_domains_post_is_kept_without_fetching_it(rig: Rig) -> None:
    friend = rig.other.actor("friend")
    author = rig.evil.actor("author")
    await suspend(rig, "evil.test")
    parent = served_note(rig.evil, author, 1)
    reply = note(friend, 2, inReplyTo=parent["id"])
    activity = create(friend, reply)
    await rig.post(friend, activity)
    await rig.process()
    stored = await status_by_uri(rig.context, reply["id"])
    assert stored is not None and stored.in_reply_to_id is None
    assert rig.evil.requests == []


async def test_m6_no_delivery_to_a_blocked_domain_even_queued_before_the_block(rig: Rig) -> None:
    author = rig.evil.actor("author")
    other = rig.other.actor("friend")
    me = await alice(rig)
    for actor in (author, other):  # followers: their shared inboxes are in every fan-out
        await accepted_follow(rig, await get_actor(rig.context, actor.uri), me)
    # A Create by the blocked author, received before the block: alice replies to it later.
    parent = note(author, 1)
    await rig.post(author, create(author, parent))
    await rig.process()
    worker = OutboxWorker(rig.context)
    await post_status(rig.context, "alice", f"hello @author@{rig.evil.domain}")
    await worker.fan_out_once()
    assert {host for host, _ in await deliveries(rig)} == {rig.evil.domain, rig.other.domain}
    await suspend(rig, "evil.test")
    stored_parent = await status_by_uri(rig.context, parent["id"])
    assert stored_parent is not None
    await post_status(rig.context, "alice", f"again @author@{rig.evil.domain}",
                      in_reply_to_id=stored_parent.id)  # fmt: skip
    await worker.run_once()
    await worker.run_once()
    assert rig.evil.posted == []
    rows = await deliveries(rig)
    assert [state for host, state in rows if host == rig.evil.domain] == ["failed"]
    assert [state for host, state in rows if host == rig.other.domain] == ["done", "done"]


async def test_m6_lookups_and_follows_of_a_blocked_domain_make_no_request(rig: Rig) -> None:
    author = rig.evil.actor("author")
    account = await get_actor(rig.context, author.uri)
    await suspend(rig, "evil.test")
    rig.evil.requests.clear()
    with pytest.raises(ActorError):
        await resolve_handle(rig.context, f"author@{rig.evil.domain}")
    with pytest.raises(MemberError):
        await follow(rig.context, "alice", account)
    assert rig.evil.requests == []


# M7: a suspended account's posts come in by no side door.


async def test_m7_a_suspended_accounts_posts_do_not_come_back_by_boost_reply_or_quote(
    rig: Rig,
) -> None:
    spammer = rig.victim.actor("spammer")
    booster = rig.other.actor("booster")
    await followed_by_alice(rig, booster)
    old = note(spammer, 1)
    await rig.post(spammer, create(spammer, old))
    await rig.process()
    assert await status_by_uri(rig.context, old["id"]) is not None
    account = await get_actor(rig.context, spammer.uri)
    await rig.context.db.write(
        lambda conn: accounts.set_suspended(conn, account.id, to_db(utcnow()))
    )
    rig.victim.put("/notes/1", old)
    fresh = served_note(rig.victim, spammer, 2)
    incoming = [
        announce(booster, old["id"], 1),  # an old post, boosted
        announce(booster, fresh["id"], 2),  # a new one, boosted
        create(booster, note(booster, 3, inReplyTo=fresh["id"]), 3),  # a parent
        create(booster, note(booster, 4, quoteUri=fresh["id"], quote=fresh["id"]), 4),  # quoted
    ]
    for activity in incoming:
        await rig.post(booster, activity)
    await rig.process()
    for activity in incoming[:2]:
        assert await status_by_uri(rig.context, activity["id"]) is None
    assert await status_by_uri(rig.context, fresh["id"]) is None
    reply = await status_by_uri(rig.context, f"{rig.other.base}/notes/3")
    assert reply is not None and reply.in_reply_to_id is None
