"""Filters v2 (and the v1 view) as apps use them (Mastodon.py), applied to timelines, threads and
notifications; and over plain HTTP their validation and another member's ids (security.md A6)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from mastodon import Mastodon

from fedi.accounts.members import add_member
from fedi.statuses.posting import post_status
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.people import accepted_follow, account_id_of, remote_account, remote_post
from tests.api.tokens import bearer


def by_id(statuses: list[Any]) -> dict[str, Any]:
    return {s["id"]: s for s in statuses}


async def test_warn_and_hide_filters_apply_per_context(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    alice_id, bob_id = await account_id_of(context, "alice"), await account_id_of(context, "bob")
    await accepted_follow(context, alice_id, bob_id)
    spoiler = await post_status(context, "bob", "A big SPOILER ahead")
    plural = await post_status(context, "bob", "spoilers everywhere")
    ending = await post_status(context, "bob", "an unending story")
    hidden = await post_status(context, "bob", "the secret plan")
    warned_cw = await post_status(context, "bob", "nothing here", spoiler_text="spoiler inside")
    remote = await remote_account(context, "far", "far.example")
    await accepted_follow(context, alice_id, remote)
    pictured = await remote_post(context, remote, "look", media_description="graphic violence")
    mention = await post_status(context, "bob", "@alice the secret is out")
    rude = await post_status(context, "bob", "a rude reply", in_reply_to_id=spoiler.id)
    kind = await post_status(context, "bob", "a kind reply", in_reply_to_id=spoiler.id)

    def run(client: Mastodon) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        warn = client.create_filter_v2(
            "Spoilers", ["home", "public"], "warn",
            keywords_attributes=[{"keyword": "spoiler", "whole_word": True}],
        )  # fmt: skip
        seen["warn"] = warn
        seen["keyword"] = client.add_filter_keyword_v2(warn["id"], "ending", whole_word=False)
        client.add_filter_keyword_v2(warn["id"], "violence")
        seen["hide"] = client.create_filter_v2(
            "Secrets", ["home", "notifications"], "hide",
            keywords_attributes=[{"keyword": "secret", "whole_word": True}],
        )  # fmt: skip
        client.create_filter_v2(
            "Rudeness", ["thread"], "hide", keywords_attributes=[{"keyword": "rude"}]
        )
        seen["filters"] = client.filters_v2()
        seen["keywords"] = client.filter_keywords_v2(warn["id"])
        seen["home"] = client.timeline_home()
        seen["public"] = client.timeline_public()
        seen["notifications"] = client.notifications()
        seen["thread"] = client.status_context(spoiler.id)
        return seen

    def as_alice() -> dict[str, Any]:
        with logged_in(served.base) as client:
            return run(client)

    seen = await asyncio.to_thread(as_alice)
    warn = seen["warn"]
    assert warn["title"] == "Spoilers"
    assert warn["context"] == ["home", "public"]
    assert warn["filter_action"] == "warn"
    assert warn["expires_at"] is None
    assert [k["keyword"] for k in warn["keywords"]] == ["spoiler"]
    assert seen["keyword"]["whole_word"] is False
    assert [f["title"] for f in seen["filters"]] == ["Spoilers", "Secrets", "Rudeness"]
    assert [k["keyword"] for k in seen["keywords"]] == ["spoiler", "ending", "violence"]

    home = by_id(seen["home"])
    assert str(hidden.id) not in home and str(mention.id) not in home  # hide: gone
    matched = home[str(spoiler.id)]["filtered"]
    assert [m["filter"]["id"] for m in matched] == [warn["id"]]
    assert matched[0]["keyword_matches"] == ["spoiler"]
    assert matched[0]["filter"]["filter_action"] == "warn"
    assert home[str(plural.id)]["filtered"] == []  # whole word: "spoilers" is another word
    assert home[str(ending.id)]["filtered"][0]["keyword_matches"] == ["ending"]
    assert home[str(warned_cw.id)]["filtered"][0]["keyword_matches"] == ["spoiler"]
    assert home[str(pictured)]["filtered"][0]["keyword_matches"] == ["violence"]

    public = by_id(seen["public"])
    assert str(hidden.id) in public  # the hide filter is not for the public context
    assert public[str(hidden.id)]["filtered"] == []
    assert public[str(spoiler.id)]["filtered"][0]["keyword_matches"] == ["spoiler"]
    assert [n for n in seen["notifications"] if n["type"] == "mention"] == []
    assert str(rude.id) in home  # the thread filter is for threads only
    assert [s["id"] for s in seen["thread"]["descendants"]] == [str(kind.id)]


async def test_editing_keywords_statuses_expiry_and_the_v1_view(served: Served) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    alice_id, bob_id = await account_id_of(context, "alice"), await account_id_of(context, "bob")
    await accepted_follow(context, alice_id, bob_id)
    plain = await post_status(context, "bob", "an ordinary post")
    about = await post_status(context, "bob", "about elections")

    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            seen: dict[str, Any] = {}
            made = client.create_filter_v2(
                "Politics", ["home"], "warn", expires_in=3600,
                keywords_attributes=[{"keyword": "vote"}, {"keyword": "ballot"}],
            )  # fmt: skip
            seen["made"] = made
            first = made["keywords"][0]["id"]
            seen["updated"] = client.update_filter_v2(
                made["id"], title="Elections", keywords_attributes=[
                    {"id": first, "_destroy": True}, {"keyword": "elections"}],
            )  # fmt: skip
            seen["home"] = client.timeline_home()
            added = client.add_filter_status_v2(made["id"], plain.id)
            seen["status_filter"] = added
            seen["one_status_filter"] = client.filter_status_v2(added["id"])
            seen["status_filters"] = client.filter_statuses_v2(made["id"])
            seen["home_with_status"] = client.timeline_home()
            client.delete_filter_status_v2(added["id"])
            seen["status_filters_after"] = client.filter_statuses_v2(made["id"])
            client.delete_filter_keyword_v2(seen["updated"]["keywords"][0]["id"])
            seen["keywords_after"] = client.filter_keywords_v2(made["id"])
            seen["v1"] = client.filters()
            created = client.filter_create("lottery", ["home", "thread"], irreversible=True)
            seen["v1_created"] = created
            seen["v1_updated"] = client.filter_update(created["id"], phrase="lotteries")
            seen["v1_one"] = client.filter(created["id"])
            client.filter_delete(created["id"])
            seen["v2_after_v1"] = client.filters_v2()
            client.delete_filter_v2(made["id"])
            seen["none_left"] = client.filters_v2()
            return seen

    seen = await asyncio.to_thread(run)
    assert seen["made"]["expires_at"] is not None
    assert [k["keyword"] for k in seen["made"]["keywords"]] == ["vote", "ballot"]
    assert seen["updated"]["title"] == "Elections"
    assert [k["keyword"] for k in seen["updated"]["keywords"]] == ["ballot", "elections"]
    home = by_id(seen["home"])
    assert home[str(about.id)]["filtered"][0]["keyword_matches"] == ["elections"]
    assert home[str(plain.id)]["filtered"] == []
    assert seen["status_filter"]["status_id"] == str(plain.id)
    assert seen["one_status_filter"] == seen["status_filter"]
    assert seen["status_filters"] == [seen["status_filter"]]
    matched = by_id(seen["home_with_status"])[str(plain.id)]["filtered"][0]
    assert matched["status_matches"] == [str(plain.id)]
    assert seen["status_filters_after"] == []
    assert [k["keyword"] for k in seen["keywords_after"]] == ["elections"]
    assert [(f["phrase"], f["irreversible"]) for f in seen["v1"]] == [("elections", False)]
    assert seen["v1_created"]["phrase"] == "lottery"
    assert seen["v1_created"]["irreversible"] is True
    assert seen["v1_created"]["context"] == ["home", "thread"]
    assert seen["v1_updated"]["phrase"] == "lotteries"
    assert seen["v1_one"]["phrase"] == "lotteries"
    assert [f["title"] for f in seen["v2_after_v1"]] == ["Elections"]
    assert seen["none_left"] == []


async def test_an_expired_filter_no_longer_applies(served: Served) -> None:
    context = served.context
    await post_status(context, "alice", "my plans for the weekend")

    def run() -> tuple[Any, Any]:
        with logged_in(served.base) as client:
            client.create_filter_v2(
                "Plans", ["home"], "hide", keywords_attributes=[{"keyword": "plans"}]
            )
            return client.timeline_home(), client.filters_v2()

    home, _ = await asyncio.to_thread(run)
    assert home == []
    await context.db.write(
        lambda conn: conn.execute("UPDATE filters SET expires_at = '2000-01-01T00:00:00+00:00'")
    )

    def again() -> Any:
        with logged_in(served.base) as client:
            return client.timeline_home()

    assert len(await asyncio.to_thread(again)) == 1


async def test_filter_validation_and_forms_over_http(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        alice = await bearer(http, "alice", "read write")
        reader = await bearer(http, "alice", "read:filters")
        base = {"title": "t", "context[]": ["home"]}
        assert (await http.get("/api/v2/filters")).status_code == 401
        denied = await http.post("/api/v2/filters", headers=reader, data=base)
        assert denied.status_code == 403
        refusals: list[dict[str, Any]] = [
            {"title": "x" * 1_000_000, "context": ["home"]},
            {"title": "", "context": ["home"]},
            {"title": "t"},
            {"title": "t", "context": ["everywhere"]},
            {"title": "t", "context": ["home"], "filter_action": "explode"},
            {"title": "t", "context": ["home"], "expires_in": "tomorrow"},
            {"title": "t", "context": ["home"], "keywords_attributes": [{"keyword": ""}]},
            {"title": "t", "context": ["home"], "keywords_attributes": [{"keyword": "k" * 300}]},
        ]
        for body in refusals:
            refused = await http.post("/api/v2/filters", headers=alice, json=body)
            assert refused.status_code == 422, body
            assert "error" in refused.json()
        made = await http.post(
            "/api/v2/filters/", headers=alice,
            data={**base, "keywords_attributes[][keyword]": ["one", "two"],
                  "keywords_attributes[][whole_word]": ["false", "true"]},
        )  # fmt: skip
        assert made.status_code == 200, made.text
        keywords = made.json()["keywords"]
        assert [(k["keyword"], k["whole_word"]) for k in keywords] == [
            ("one", False), ("two", True)
        ]  # fmt: skip
        filter_id = made.json()["id"]
        edited = await http.put(
            f"/api/v2/filters/{filter_id}", headers=alice,
            data={"keywords_attributes[0][id]": keywords[0]["id"],
                  "keywords_attributes[0][_destroy]": "1",
                  "keywords_attributes[1][id]": keywords[1]["id"],
                  "keywords_attributes[1][keyword]": "deux",
                  "expires_in": ""},
        )  # fmt: skip
        assert edited.status_code == 200, edited.text
        assert [k["keyword"] for k in edited.json()["keywords"]] == ["deux"]
        assert edited.json()["context"] == ["home"]
        keyword = await http.put(
            f"/api/v2/filters/keywords/{keywords[1]['id']}", headers=alice,
            json={"keyword": "zwei", "whole_word": False},
        )  # fmt: skip
        assert keyword.json() == {"id": keywords[1]["id"], "keyword": "zwei", "whole_word": False}


async def test_a6_another_members_filters_keywords_and_statuses_are_not_found(
    served: Served,
) -> None:
    context = served.context
    await add_member(context, "bob", "bob-password")
    post = await post_status(context, "alice", "a post")
    async with httpx.AsyncClient(base_url=served.base) as http:
        alice = await bearer(http, "alice", "read write")
        bob = await bearer(http, "bob", "read write")
        made = await http.post(
            "/api/v2/filters", headers=alice,
            json={"title": "Mine", "context": ["home"], "keywords_attributes": [{"keyword": "k"}]},
        )  # fmt: skip
        filter_id = made.json()["id"]
        keyword_id = made.json()["keywords"][0]["id"]
        row = await http.post(
            f"/api/v2/filters/{filter_id}/statuses", headers=alice, data={"status_id": str(post.id)}
        )
        row_id = row.json()["id"]
        attempts = [
            ("GET", f"/api/v2/filters/{filter_id}", None),
            ("PUT", f"/api/v2/filters/{filter_id}", {"title": "Taken"}),
            ("DELETE", f"/api/v2/filters/{filter_id}", None),
            ("GET", f"/api/v2/filters/{filter_id}/keywords", None),
            ("POST", f"/api/v2/filters/{filter_id}/keywords", {"keyword": "mine now"}),
            ("GET", f"/api/v2/filters/{filter_id}/statuses", None),
            ("POST", f"/api/v2/filters/{filter_id}/statuses", {"status_id": str(post.id)}),
            ("GET", f"/api/v2/filters/keywords/{keyword_id}", None),
            ("PUT", f"/api/v2/filters/keywords/{keyword_id}", {"keyword": "taken"}),
            ("DELETE", f"/api/v2/filters/keywords/{keyword_id}", None),
            ("GET", f"/api/v2/filters/statuses/{row_id}", None),
            ("DELETE", f"/api/v2/filters/statuses/{row_id}", None),
            ("GET", f"/api/v1/filters/{keyword_id}", None),
            ("PUT", f"/api/v1/filters/{keyword_id}", {"phrase": "taken"}),
            ("DELETE", f"/api/v1/filters/{keyword_id}", None),
        ]
        for method, path, body in attempts:
            answer = await http.request(method, path, headers=bob, json=body)
            assert answer.status_code == 404, (method, path, answer.text)
            assert answer.json() == {"error": "Record not found"}
        # Nor may alice edit her own filter with bob's keyword ids, or filter a post she
        # cannot see.
        bobs = await http.post(
            "/api/v2/filters", headers=bob,
            json={"title": "Bob's", "context": ["home"], "keywords_attributes": [{"keyword": "b"}]},
        )  # fmt: skip
        bobs_keyword = bobs.json()["keywords"][0]["id"]
        crossed = await http.put(
            f"/api/v2/filters/{filter_id}", headers=alice,
            json={"keywords_attributes": [{"id": bobs_keyword, "keyword": "stolen"}]},
        )  # fmt: skip
        assert crossed.status_code == 404
        secret = await post_status(context, "bob", "for bob only", visibility="direct")
        hidden = await http.post(
            f"/api/v2/filters/{filter_id}/statuses",
            headers=alice,
            data={"status_id": str(secret.id)},
        )
        assert hidden.status_code == 404
        # Everything of alice's is untouched.
        mine = (await http.get(f"/api/v2/filters/{filter_id}", headers=alice)).json()
        assert mine["title"] == "Mine"
        assert [k["keyword"] for k in mine["keywords"]] == ["k"]
        assert [s["status_id"] for s in mine["statuses"]] == [str(post.id)]
        assert [k["keyword"] for k in bobs.json()["keywords"]] == ["b"]
        theirs = (await http.get(f"/api/v2/filters/{bobs.json()['id']}", headers=bob)).json()
        assert [k["keyword"] for k in theirs["keywords"]] == ["b"]
