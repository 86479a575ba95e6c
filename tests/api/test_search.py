"""GET /api/v2/search and /api/v1/accounts/search through Mastodon.py and plain HTTP: people by
the start of their username, handle or display-name words (ranked: exact username, then those
the caller follows), hashtags by the start of their name, and posts by their words (FTS5), each
post only for those who may see it, never a muted or blocked author's, never a 500."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from fedi.accounts.members import add_member, get_member, set_suspended
from fedi.accounts.profiles import update_profile
from fedi.groups.groups import create_group
from fedi.relationships.muting import mute
from fedi.relationships.relationships import block
from fedi.statuses.posting import delete_status, edit_status, post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.test_streaming import follows, members
from tests.testrig.group_web import remote_account
from tests.testrig.groups import join


def accts(found: list[dict[str, Any]]) -> list[str]:
    return [a["acct"] for a in found]


def texts(found: list[dict[str, Any]]) -> list[str]:
    return [s["content"] for s in found]


async def search(
    served: Served, token: str | None, q: str, **params: str
) -> dict[str, Any]:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=served.base) as http:
        answer = await http.get("/api/v2/search", params={"q": q, **params}, headers=headers)
    assert answer.status_code == 200, (q, answer.text)
    found: dict[str, Any] = answer.json()
    return found


async def test_people_by_username_handle_and_name_ranked(served: Served) -> None:
    context = served.context
    for name in ("bob", "bobby", "bobcat", "bobsleigh", "bobbie", "bobo", "nadia"):
        await add_member(context, name, f"{name}-password")
    await update_profile(context, "nadia", display_name="Nadia Bobrova")
    await remote_account(context, "bob", "remote.test")
    await follows(served, "alice", "bobcat")
    await set_suspended(context, "bobsleigh", True)
    await block(context, "alice", (await get_member(context, "bobbie")).account)
    await block(
        context, "bobo", (await get_member(context, "alice")).account
    )  # bobo blocks alice: neither finds the other
    domain = context.settings.domain

    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            return {
                q: accts(client.search_v2(q, resolve=False)["accounts"])
                for q in ("bob", "@bob", "bo", "BOB", "@bob@remote.test", "bob@remote",
                          f"@bob@{domain}", "bobr", "Nadia Bob", "bob@nowhere.test", "bobbie",
                          "bobo", "#bob")
            } | {
                "v1": accts(client.account_search("bo")),
                "v1 following": accts(client.account_search("bo", following=True)),
                "v1 paged": accts(client.account_search("bo", limit=2, offset=1)),
                "accounts only": client.search_v2("bob", resolve=False, result_type="accounts"),
            }  # fmt: skip

    found = await asyncio.to_thread(run)
    ranked = ["bob", "bob@remote.test", "bobcat", "bobby", "nadia"]
    assert found["bob"] == found["@bob"] == found["BOB"] == ranked
    assert found["bo"] == ["bobcat", "bob", "bobby", "nadia", "bob@remote.test"]
    assert found["@bob@remote.test"] == found["bob@remote"] == ["bob@remote.test"]
    assert found[f"@bob@{domain}"] == ["bob", "bobcat", "bobby"]
    assert found["bobr"] == found["Nadia Bob"] == ["nadia"]  # words of a display name
    assert found["bob@nowhere.test"] == [] and found["#bob"] == []
    # Named exactly, one she blocks (or who blocks her) is found, so that she can unblock.
    assert found["bobbie"] == ["bobbie"] and found["bobo"] == ["bobo"]
    assert found["v1"] == found["bo"]
    assert found["v1 following"] == ["bobcat"]
    assert found["v1 paged"] == ["bob", "bobby"]
    only = found["accounts only"]
    assert only["hashtags"] == [] and only["statuses"] == [] and len(only["accounts"]) == 5


async def test_hashtags_by_the_start_of_their_name(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    await post_status(served.context, "bob", "Morning swim #daily #DailyNotes")
    await post_status(served.context, "bob", "Only for followers #dailysecret", "private")

    def run() -> dict[str, list[str]]:
        with logged_in(served.base) as client:
            return {
                q: [t["name"] for t in client.search_v2(q, resolve=False)["hashtags"]]
                for q in ("#daily", "daily", "dai", "#DAI", "#nothing")
            }

    found = await asyncio.to_thread(run)
    assert found["#daily"] == found["daily"] == ["daily", "dailynotes"]
    assert found["dai"] == found["#DAI"] == ["daily", "dailynotes"]
    assert found["#nothing"] == []
    # A lone #hashtag is a hashtag, not words of posts nor a name (as Mastodon searches it).
    tokens = await members(served, "alice")
    only_tags = await search(served, tokens["alice"], "#daily")
    assert only_tags["statuses"] == only_tags["accounts"] == []
    words = await search(served, tokens["alice"], "morning swim")
    assert len(words["statuses"]) == 1 and words["hashtags"] == []
    # Paged, and for anyone: hashtags are public.
    paged = await search(served, None, "#daily", type="hashtags", limit="1")
    assert [t["name"] for t in paged["hashtags"]] == ["daily"]
    assert paged["hashtags"][0]["url"] == f"{served.base}/tags/daily"
    assert paged["accounts"] == paged["statuses"] == []
    rest = await search(served, tokens["alice"], "dai", type="hashtags", limit="1", offset="1")
    assert [t["name"] for t in rest["hashtags"]] == ["dailynotes"]


async def test_posts_by_their_words_for_those_who_may_see_them(served: Served) -> None:
    context = served.context
    tokens = await members(served, "alice", "bob", "nadia", "nick", "olga", "muted", "blocked")
    await create_group(context, "casework", "olga", is_private=True)
    await join(context, "casework", context, "nadia")
    await follows(served, "nadia", "bob")
    public = await post_status(context, "bob", "The lighthouse keeper waves")
    await post_status(context, "bob", "Followers hear about the lighthouse orchard", "private")
    await post_status(context, "bob", "@alice the lighthouse meadow is ours", "direct")
    await post_status(context, "muted", "A muted lighthouse lamp")
    await post_status(context, "blocked", "A blocked lighthouse beam")
    await post_status(context, "nadia", "@casework Lighthouse tribunal strategy")
    await post_status(context, "bob", "Réunion à Genève, اجتماع المحامين غدا")
    alice = await get_member(context, "alice")
    await mute(context, alice, (await get_member(context, "muted")).account, True, 0)
    await block(context, "alice", (await get_member(context, "blocked")).account)

    def run(name: str) -> dict[str, list[str]]:
        with logged_in(served.base, username=name) as client:
            return {
                q: texts(client.search_v2(q, resolve=False, result_type="statuses")["statuses"])
                for q in ("lighthouse", "LIGHTHO", "keeper lighthouse", "tribunal", "geneve",
                          "reunion", "المحامين", "المُحامين", "اجتماع المح")
            }  # fmt: skip

    alice_found = await asyncio.to_thread(run, "alice")
    # The public post and the message to her: not the followers-only post, nor the private
    # group's, nor what she mutes or blocks.
    assert texts_have(alice_found["lighthouse"], ["meadow", "keeper"])
    assert alice_found["lighthouse"] == alice_found["LIGHTHO"]
    assert texts_have(alice_found["keeper lighthouse"], ["keeper"])
    assert alice_found["tribunal"] == []
    for q in ("geneve", "reunion", "المحامين", "المُحامين", "اجتماع المح"):
        assert texts_have(alice_found[q], ["Genève"]), q
    # A member of the group finds its copy (and her own submission); a follower the post for
    # followers.
    nadia_found = await asyncio.to_thread(run, "nadia")
    in_order = ["tribunal", "tribunal", "beam", "lamp", "orchard", "keeper"]
    assert texts_have(nadia_found["lighthouse"], in_order)
    assert texts_have(nadia_found["tribunal"], ["tribunal", "tribunal"])
    nick_found = await asyncio.to_thread(run, "nick")
    assert texts_have(nick_found["lighthouse"], ["beam", "lamp", "keeper"])
    assert nick_found["tribunal"] == []
    # Signed out: people and hashtags, never posts; paging and resolving need a member.
    anonymous = await search(served, None, "lighthouse")
    assert anonymous["statuses"] == []
    assert accts((await search(served, None, "bo"))["accounts"]) == ["bob"]
    async with httpx.AsyncClient(base_url=served.base) as http:
        for extra in ({"offset": "1"}, {"resolve": "true"}):
            refused = await http.get("/api/v2/search", params={"q": "bob", **extra})
            assert refused.status_code == 401 and "error" in refused.json()
    # By one account only, and paged.
    by_bob = await search(
        served, tokens["nadia"], "lighthouse", type="statuses", account_id=str(public.account_id)
    )
    assert texts_have(texts(by_bob["statuses"]), ["orchard", "keeper"])
    first = await search(served, tokens["nadia"], "lighthouse", type="statuses", limit="1")
    second = await search(
        served, tokens["nadia"], "lighthouse", type="statuses", limit="1", offset="1"
    )
    assert texts(first["statuses"]) == nadia_found["lighthouse"][:1]
    assert texts(second["statuses"]) == nadia_found["lighthouse"][1:2]
    older = await search(
        served, tokens["nadia"], "lighthouse", type="statuses", max_id=first["statuses"][0]["id"]
    )
    assert texts_have(texts(older["statuses"]), in_order[1:])


def texts_have(found: list[str], words: list[str]) -> bool:
    """The posts found are exactly one per word, in that order (newest first)."""
    return len(found) == len(words) and all(w in t for t, w in zip(found, words, strict=True))


async def test_an_edited_post_by_its_new_words_a_deleted_one_not_at_all(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    walking = await post_status(context, "bob", "Walking to the harbour")
    gone = await post_status(context, "bob", "A vanishing harbour ferry")

    def edit_and_delete() -> None:
        with logged_in(served.base, username="bob") as bob:
            bob.status_update(walking.id, "Cycling to the station")
            bob.status_delete(gone.id)

    await asyncio.to_thread(edit_and_delete)
    await edit_status(context, "bob", walking.id, "Cycling to the station, then the train")

    def run() -> dict[str, list[str]]:
        with logged_in(served.base) as client:
            return {
                q: texts(client.search_v2(q, resolve=False)["statuses"])
                for q in ("harbour", "walking", "ferry", "station", "train")
            }

    found = await asyncio.to_thread(run)
    assert found["harbour"] == found["walking"] == found["ferry"] == []
    assert found["station"] == found["train"] and len(found["train"]) == 1
    await delete_status(context, "bob", walking.id)
    assert (await asyncio.to_thread(run))["station"] == []


HOSTILE = [
    '"', '""', "'", "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "a NEAR/2 b", "*", "a*", "*a", "^",
    "^a", "(", ")", "(a OR b", "a AND", "text:a", "{text}: a", "- a", "+a", '"unterminated',
    'a"b', "a:b", "\\", "%", "_", "\x00", "NOT a", "a OR b", "👋🎉", "a👋b", "مرحبا*",
    "x" * 500, "a " * 250, "@", "@@", "#", "##", "@a@b@c", "https://", "http://[::1",
]  # fmt: skip


async def test_hostile_input_never_breaks_a_search(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    await post_status(served.context, "bob", "a b text NEAR OR AND")
    tokens = await members(served, "alice")
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = {"Authorization": f"Bearer {tokens['alice']}"}
        for q in HOSTILE:
            for path in ("/api/v2/search", "/api/v1/accounts/search"):
                answer = await http.get(path, params={"q": q}, headers=headers)
                assert answer.status_code in (200, 422), (path, q, answer.text)
                assert answer.status_code == 200 or "error" in answer.json()
        for params in (
            {"q": "x" * 501}, {"q": ""}, {}, {"q": "a", "account_id": "x"},
            {"q": "a", "max_id": "99999999999999999999999"},
        ):  # fmt: skip
            refused = await http.get("/api/v2/search", params=params, headers=headers)
            assert refused.status_code == 422 and "error" in refused.json(), params
        for params in (
            {"q": "a", "limit": "1000"}, {"q": "a", "limit": "-1"}, {"q": "a", "offset": "x"},
            {"q": "a", "type": "nonsense"}, {"q": "a", "following": "maybe"},
            {"q": "a", "exclude_unreviewed": "true"},
        ):  # fmt: skip
            fine = await http.get("/api/v2/search", params=params, headers=headers)
            assert fine.status_code == 200, params
        # Operators are words to look for, not operators.
        found = await http.get("/api/v2/search", params={"q": "NEAR OR"}, headers=headers)
        assert len(found.json()["statuses"]) == 1
        nothing = await http.get("/api/v2/search", params={"q": "NOT a"}, headers=headers)
        assert nothing.json()["statuses"] == []
