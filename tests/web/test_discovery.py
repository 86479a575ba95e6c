"""WebFinger, host-meta and NodeInfo, as remote servers and apps call them."""

from __future__ import annotations

import httpx
import pytest

from fedi.accounts.members import add_member, set_suspended
from fedi.context import Context
from fedi.statuses.posting import post_status
from tests.conftest import BASE, DOMAIN


@pytest.fixture
async def alice(context: Context) -> None:
    await add_member(context, "alice", "password-alice")


async def test_webfinger_finds_a_member_by_acct(client: httpx.AsyncClient, alice: None) -> None:
    response = await client.get(f"/.well-known/webfinger?resource=acct:alice@{DOMAIN}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jrd+json")
    assert response.headers["access-control-allow-origin"] == "*"
    jrd = response.json()
    assert jrd["subject"] == f"acct:alice@{DOMAIN}"
    assert set(jrd["aliases"]) == {f"{BASE}/@alice", f"{BASE}/users/alice"}
    links = {link["rel"]: link for link in jrd["links"]}
    assert links["self"] == {
        "rel": "self",
        "type": "application/activity+json",
        "href": f"{BASE}/users/alice",
    }
    assert links["http://webfinger.net/rel/profile-page"]["href"] == f"{BASE}/@alice"


@pytest.mark.parametrize(
    "resource",
    [
        f"acct:ALICE@{DOMAIN}",
        f"alice@{DOMAIN}",
        f"@alice@{DOMAIN}",
        f"{BASE}/users/alice",
        f"{BASE}/@alice",
        f"acct:alice@{DOMAIN.upper()}",
    ],
)
async def test_webfinger_accepts_every_form_of_a_member(
    client: httpx.AsyncClient, alice: None, resource: str
) -> None:
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status_code == 200, resource
    self_links = [link for link in response.json()["links"] if link["rel"] == "self"]
    assert self_links[0]["href"] == f"{BASE}/users/alice"


@pytest.mark.parametrize(
    "resource",
    [
        "",
        "acct:",
        "acct:alice",
        "acct:@fedi.test",
        "alice",
        "mailto:alice@fedi.test",
        "https://",
        "acct:al ice@fedi.test",
        "acct:" + "a" * 2000 + "@fedi.test",
    ],
)
async def test_webfinger_malformed_resource_is_400(
    client: httpx.AsyncClient, resource: str
) -> None:
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status_code == 400
    assert "error" in response.json()
    assert response.headers["access-control-allow-origin"] == "*"


async def test_webfinger_missing_resource_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/webfinger")
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    "resource",
    [
        f"acct:nobody@{DOMAIN}",
        "acct:alice@other.example",
        "https://other.example/users/alice",
        f"{BASE}/users/alice/outbox",
        f"{BASE}/users/nobody",
    ],
)
async def test_webfinger_unknown_resource_is_404(
    client: httpx.AsyncClient, alice: None, resource: str
) -> None:
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status_code == 404
    assert response.json()["error"]


async def test_webfinger_rel_filter(client: httpx.AsyncClient, alice: None) -> None:
    response = await client.get(
        "/.well-known/webfinger", params={"resource": f"acct:alice@{DOMAIN}", "rel": "self"}
    )
    assert [link["rel"] for link in response.json()["links"]] == ["self"]


async def test_webfinger_cors_preflight(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/.well-known/webfinger",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("resource", [f"{BASE}/", BASE, f"acct:{DOMAIN}@{DOMAIN}", f"{BASE}/actor"])
async def test_instance_actor_is_discoverable_fep_d556(
    client: httpx.AsyncClient, resource: str
) -> None:
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status_code == 200
    jrd = response.json()
    assert jrd["subject"] == resource
    by_rel = {link["rel"]: link["href"] for link in jrd["links"]}
    assert by_rel["self"] == f"{BASE}/actor"
    assert by_rel["https://www.w3.org/ns/activitystreams#Application"] == f"{BASE}/actor"
    actor = await client.get(by_rel["self"], headers={"Accept": "application/activity+json"})
    assert actor.json()["type"] == "Application"
    assert actor.json()["publicKey"]["owner"] == f"{BASE}/actor"


async def test_host_meta_xml_and_json(client: httpx.AsyncClient) -> None:
    xml = await client.get("/.well-known/host-meta")
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xrd+xml")
    template = f"{BASE}/.well-known/webfinger?resource={{uri}}"
    assert f'template="{template}"' in xml.text
    assert xml.headers["access-control-allow-origin"] == "*"
    for response in (
        await client.get("/.well-known/host-meta.json"),
        await client.get("/.well-known/host-meta", headers={"Accept": "application/json"}),
        await client.get("/.well-known/host-meta?format=json"),
    ):
        assert response.json() == {"links": [{"rel": "lrdd", "template": template}]}


async def test_nodeinfo_index_names_both_versions_and_the_application_actor(
    client: httpx.AsyncClient,
) -> None:
    index = (await client.get("/.well-known/nodeinfo")).json()
    by_rel = {link["rel"]: link["href"] for link in index["links"]}
    assert by_rel["http://nodeinfo.diaspora.software/ns/schema/2.0"] == f"{BASE}/nodeinfo/2.0"
    assert by_rel["http://nodeinfo.diaspora.software/ns/schema/2.1"] == f"{BASE}/nodeinfo/2.1"
    # FEP-2677
    assert by_rel["https://www.w3.org/ns/activitystreams#Application"] == f"{BASE}/actor"


@pytest.mark.parametrize("version", ["2.0", "2.1"])
async def test_nodeinfo_counts_real_usage(
    client: httpx.AsyncClient, context: Context, version: str
) -> None:
    await add_member(context, "alice", "password-alice")
    await add_member(context, "bob", "password-bob1")
    await add_member(context, "mallory", "password-mallory")
    await set_suspended(context, "mallory", True)
    await post_status(context, "alice", "Hello")
    await post_status(context, "bob", "Only followers", visibility="private")
    response = await client.get(f"/nodeinfo/{version}")
    assert response.status_code == 200
    assert f"schema/{version}#" in response.headers["content-type"]
    info = response.json()
    assert info["version"] == version
    assert info["software"]["name"] == "fedi"
    assert info["software"]["version"]
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["users"] == {"total": 2, "activeMonth": 2, "activeHalfyear": 2}
    assert info["usage"]["localPosts"] == 2
    assert info["openRegistrations"] is True  # approval mode counts as open, as on Mastodon
    assert info["metadata"]["registrations"] == "approval"
    assert info["metadata"]["nodeName"] == "Test network"
    # What megalodon and other multi-server clients read to speak Mastodon's API to us.
    assert info["metadata"]["upstream"] == {"name": "mastodon", "version": "4.3.0"}
    assert ("repository" in info["software"] or "homepage" in info["software"]) == (
        version == "2.1"
    )


async def test_nodeinfo_unknown_version_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/nodeinfo/1.0")
    assert response.status_code == 404
    assert response.json()["error"]
