"""Actor documents, content negotiation and the paged collections behind them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from fedi.accounts.members import add_member, set_suspended
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, ProfileField
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows
from fedi.statuses.posting import pin_status, post_status
from tests.conftest import BASE

PAYLOADS = Path(__file__).resolve().parents[1] / "testrig" / "payloads"
AP = {"Accept": "application/activity+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def mastodon_actor() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / "mastodon_actor.json").read_text())
    return loaded


@pytest.fixture
async def alice(context: Context) -> None:
    await add_member(context, "alice", "password-alice")
    user = await accounts_of(context, "alice")
    await context.db.write(
        lambda conn: accounts.update_profile(
            conn,
            user.id,
            display_name="Alice Avocate",
            note="<p>Human-rights lawyer</p>",
            fields=[
                ProfileField("Website", "https://alice.example/"),
                ProfileField("Langs", "fr, ar"),
            ],
            updated_at=to_db(utcnow()),
        )
    )


async def accounts_of(context: Context, username: str) -> Account:
    async with context.db.read() as conn:
        account = await accounts.get_local_actor(conn, username)
    assert account is not None
    return account


async def get_actor(client: httpx.AsyncClient, path: str = "/users/alice") -> dict[str, Any]:
    response = await client.get(path, headers=AP)
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_actor_has_every_field_mastodon_serves(
    client: httpx.AsyncClient, alice: None
) -> None:
    ours = await get_actor(client)
    theirs = mastodon_actor()
    # Optional Mastodon-only features we do not offer: featured hashtags.
    missing = set(theirs) - set(ours) - {"featuredTags"}
    assert missing == set()
    assert ours["@context"][:2] == theirs["@context"][:2]
    for term, definition in theirs["@context"][2].items():
        if term in ours["@context"][2]:
            assert ours["@context"][2][term] == definition, term
    for key in ("manuallyApprovesFollowers", "PropertyValue", "value", "toot", "featured",
                "discoverable", "schema"):  # fmt: skip
        assert key in ours["@context"][2]
    for key, value in theirs.items():
        if key != "featuredTags":
            assert type(ours[key]) is type(value), key
    assert set(ours["publicKey"]) == set(theirs["publicKey"])
    assert set(ours["endpoints"]) == set(theirs["endpoints"])
    assert set(ours["icon"]) == set(theirs["icon"]) == {"type", "mediaType", "url"}
    assert [set(a) for a in ours["attachment"]] == [set(theirs["attachment"][0])] * 2


async def test_actor_values(client: httpx.AsyncClient, alice: None) -> None:
    actor = await get_actor(client)
    uri = f"{BASE}/users/alice"
    assert actor["id"] == uri
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "alice"
    assert actor["name"] == "Alice Avocate"
    assert actor["summary"] == "<p>Human-rights lawyer</p>"
    assert actor["url"] == f"{BASE}/@alice"
    assert actor["inbox"] == f"{uri}/inbox"
    assert actor["outbox"] == f"{uri}/outbox"
    assert actor["followers"] == f"{uri}/followers"
    assert actor["following"] == f"{uri}/following"
    assert actor["featured"] == f"{uri}/collections/featured"
    assert actor["endpoints"]["sharedInbox"] == f"{BASE}/inbox"
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True
    assert actor["published"].endswith("Z")
    assert actor["publicKey"]["id"] == f"{uri}#main-key"
    assert actor["publicKey"]["owner"] == uri
    assert actor["icon"]["url"].startswith(f"{BASE}/static/")
    assert actor["attachment"][0]["type"] == "PropertyValue"
    assert actor["attachment"][0]["name"] == "Website"
    assert 'href="https://alice.example/"' in actor["attachment"][0]["value"]
    assert actor["attachment"][1]["value"] == "fr, ar"


async def test_public_key_is_rsa_2048_and_matches_the_private_key_on_disk(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    actor = await get_actor(client)
    public = serialization.load_pem_public_key(actor["publicKey"]["publicKeyPem"].encode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    account = await accounts_of(context, "alice")
    private = context.keys.load(account.id)
    assert private.public_key().public_numbers() == public.public_numbers()
    path = context.keys.path_for(account.id)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    if not context.db.is_postgresql:
        assert context.settings.database_path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "accept",
    [
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    ],
)
async def test_activitystreams_accept_gets_json_with_vary(
    client: httpx.AsyncClient, alice: None, accept: str
) -> None:
    for path in ("/users/alice", "/@alice"):
        response = await client.get(path, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/activity+json")
        assert "Accept" in response.headers["vary"]
        assert response.json()["id"] == f"{BASE}/users/alice"


async def test_browser_gets_the_profile_page_with_vary(
    client: httpx.AsyncClient, alice: None
) -> None:
    redirect = await client.get("/users/alice", headers=BROWSER)
    assert redirect.status_code == 302
    assert redirect.headers["location"] == f"{BASE}/@alice"
    assert "Accept" in redirect.headers["vary"]
    page = await client.get("/@alice", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert "Alice Avocate" in page.text


async def test_unknown_actor_is_404_in_both_forms(client: httpx.AsyncClient) -> None:
    as_json = await client.get("/users/nobody", headers=AP)
    assert as_json.status_code == 404
    assert as_json.json() == {"error": "no such account"}
    as_page = await client.get("/@nobody", headers=BROWSER)
    assert as_page.status_code == 404
    assert as_page.headers["content-type"].startswith("text/html")


async def test_no_response_ever_carries_a_private_key(
    client: httpx.AsyncClient, alice: None
) -> None:
    paths = ["/users/alice", "/@alice", "/actor", "/users/alice/outbox?page=true",
             "/.well-known/webfinger?resource=acct:alice@fedi.test",
             "/nodeinfo/2.1", "/"]  # fmt: skip
    for path in paths:
        for headers in (AP, BROWSER):
            response = await client.get(path, headers=headers)
            assert "PRIVATE KEY" not in response.text, path


async def test_suspended_member_is_served_as_suspended(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    await set_suspended(context, "alice", True)
    actor = await get_actor(client)
    assert actor["suspended"] is True
    assert "summary" not in actor and "attachment" not in actor
    assert actor["publicKey"]["owner"] == actor["id"]
    outbox = await client.get("/users/alice/outbox", headers=AP)
    assert outbox.status_code == 403


async def test_outbox_pages_through_public_posts_only(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    posted = [await post_status(context, "alice", f"post {n}") for n in range(25)]
    await post_status(context, "alice", "secret", visibility="private")
    await post_status(context, "alice", "dm", visibility="direct")
    unlisted = await post_status(context, "alice", "quiet", visibility="unlisted")

    collection = await get_actor(client, "/users/alice/outbox")
    assert collection["type"] == "OrderedCollection"
    assert collection["totalItems"] == 26
    assert "orderedItems" not in collection
    first = await get_actor(client, collection["first"].removeprefix(BASE))
    assert first["type"] == "OrderedCollectionPage"
    assert first["partOf"] == f"{BASE}/users/alice/outbox"
    assert len(first["orderedItems"]) == 20
    create = first["orderedItems"][0]
    assert create["type"] == "Create"
    assert create["object"]["id"] == unlisted.uri
    assert create["object"]["to"] == [f"{BASE}/users/alice/followers"]
    assert create["object"]["cc"] == ["https://www.w3.org/ns/activitystreams#Public"]
    second = await get_actor(client, first["next"].removeprefix(BASE))
    assert len(second["orderedItems"]) == 6
    assert "next" not in second
    seen = [item["object"]["content"] for item in first["orderedItems"] + second["orderedItems"]]
    assert "secret" not in "".join(seen) and "dm" not in seen
    assert seen[1:] == [f"<p>post {n}</p>" for n in reversed(range(25))]
    assert second["orderedItems"][-1]["object"]["id"] == posted[0].uri


async def test_outbox_rejects_a_bad_cursor(client: httpx.AsyncClient, alice: None) -> None:
    response = await client.get("/users/alice/outbox?page=true&max_id=abc", headers=AP)
    assert response.status_code == 400
    assert "error" in response.json()


async def test_followers_and_following_are_paged_from_real_follows(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    alice_account = await accounts_of(context, "alice")
    fans = []
    for n in range(23):
        user = await add_member_fast(context, f"fan{n}")
        fans.append(user)
    now = to_db(utcnow())

    def follow_all(conn: Any) -> None:
        for fan in fans:
            follows.insert_follow(
                conn, follow_id=ids.new_id(), follower_id=fan.id, followed_id=alice_account.id,
                uri=None, state="accepted", created_at=now,
            )  # fmt: skip
        follows.insert_follow(
            conn, follow_id=ids.new_id(), follower_id=alice_account.id, followed_id=fans[0].id,
            uri=None, state="accepted", created_at=now,
        )  # fmt: skip
        follows.insert_follow(
            conn, follow_id=ids.new_id(), follower_id=alice_account.id, followed_id=fans[1].id,
            uri=None, state="pending", created_at=now,
        )  # fmt: skip

    await context.db.write(follow_all)
    followers = await get_actor(client, "/users/alice/followers")
    assert followers["totalItems"] == 23
    page = await get_actor(client, followers["first"].removeprefix(BASE))
    rest = await get_actor(client, page["next"].removeprefix(BASE))
    listed = page["orderedItems"] + rest["orderedItems"]
    assert sorted(listed) == sorted(f.uri for f in fans)
    following = await get_actor(client, "/users/alice/following")
    assert following["totalItems"] == 1  # the pending follow does not count
    page = await get_actor(client, following["first"].removeprefix(BASE))
    assert page["orderedItems"] == [fans[0].uri]


async def add_member_fast(context: Context, username: str) -> Account:
    await add_member(context, username, "password-" + username)
    return await accounts_of(context, username)


async def test_featured_lists_pinned_posts(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    empty = await get_actor(client, "/users/alice/collections/featured")
    assert empty["totalItems"] == 0 and empty["orderedItems"] == []
    status = await post_status(context, "alice", "pinned")
    await pin_status(context, "alice", status.id)
    featured = await get_actor(client, "/users/alice/collections/featured")
    assert featured["totalItems"] == 1
    assert featured["orderedItems"][0]["id"] == status.uri


async def test_post_object_is_served_to_activitypub_and_redirects_browsers(
    client: httpx.AsyncClient, context: Context, alice: None
) -> None:
    public = await post_status(context, "alice", "Hello <b>world</b>", language="en")
    private = await post_status(context, "alice", "followers only", visibility="private")
    path = public.uri.removeprefix(BASE)
    note = await get_actor(client, path)
    assert note["type"] == "Note"
    assert note["attributedTo"] == f"{BASE}/users/alice"
    assert note["content"] == "<p>Hello &lt;b&gt;world&lt;/b&gt;</p>"
    assert note["contentMap"] == {"en": note["content"]}
    activity = await get_actor(client, path + "/activity")
    assert activity["type"] == "Create" and activity["object"]["id"] == public.uri
    browser = await client.get(path, headers=BROWSER)
    assert browser.status_code == 302 and browser.headers["location"] == public.url
    hidden = await client.get(private.uri.removeprefix(BASE), headers=AP)
    missing = await client.get(f"/users/alice/statuses/{private.id + 1}", headers=AP)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
