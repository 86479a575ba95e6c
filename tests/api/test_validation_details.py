"""Refused requests answer as Mastodon's failed validations: a 422 whose `error` reads "Validation
failed: Text can't be blank" and whose `details` name each field with its ERR_ code, for posts
(text, polls, scheduled_at), profiles, lists, filters, reports, media and mutes; over HTTP, and
through Mastodon.py, which hands apps the message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from mastodon import MastodonAPIError

from fedi.accounts.members import add_member
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.people import account_id_of
from tests.api.tokens import bearer

SOON = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()


def details_of(answer: httpx.Response) -> dict[str, list[dict[str, str]]]:
    """The `details` of a 422, after checking the shape every one of them has."""
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert set(body) == {"error", "details"}, body
    assert body["error"].startswith("Validation failed: "), body
    details: dict[str, list[dict[str, str]]] = body["details"]
    for problems in details.values():
        for problem in problems:
            assert set(problem) == {"error", "description"}, problem
            assert problem["error"].startswith("ERR_"), problem
    return details


@pytest.mark.parametrize(
    ("data", "error", "field", "code"),
    [
        ({"status": "  "}, "Validation failed: Text can't be blank", "text", "ERR_BLANK"),
        ({"status": "x" * 501}, "Validation failed: Text character limit of 500 exceeded",
         "text", "ERR_TOO_LONG"),
        ({"status": "hi", "visibility": "everyone"},
         "Validation failed: Visibility is not included in the list", "visibility",
         "ERR_INCLUSION"),
        ({"status": "hi", "poll[options][]": ["only one"], "poll[expires_in]": "600"},
         "Validation failed: Poll options must have more than one item", "poll.options",
         "ERR_TOO_SHORT"),
        ({"status": "hi", "poll[options][]": ["a", "a"], "poll[expires_in]": "600"},
         "Validation failed: Poll options contain duplicate items", "poll.options",
         "ERR_INVALID"),
        ({"status": "hi", "poll[options][]": ["a", "b"], "poll[expires_in]": "60"},
         "Validation failed: Poll expires at is too soon", "poll.expires_at", "ERR_INVALID"),
        ({"status": "hi", "scheduled_at": SOON},
         "Validation failed: Scheduled at must be at least 5 minutes in the future",
         "scheduled_at", "ERR_INVALID"),
        ({"status": "hi", "scheduled_at": "next tuesday"},
         "Validation failed: Scheduled at is not a valid date and time", "scheduled_at",
         "ERR_INVALID"),
        ({"status": "  ", "scheduled_at": "2999-01-01T00:00:00Z"},
         "Validation failed: Text can't be blank", "text", "ERR_BLANK"),
    ],
)  # fmt: skip
async def test_a_refused_post_names_the_field_and_its_error(
    served: Served, data: dict[str, Any], error: str, field: str, code: str
) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        answer = await http.post(
            "/api/v1/statuses", data=data, headers=await bearer(http, "alice", "write")
        )
    details = details_of(answer)
    assert answer.json()["error"] == error
    assert [p["error"] for p in details[field]] == [code]


async def test_edits_and_rescheduling_answer_the_same_way(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "read write")
        posted = await http.post("/api/v1/statuses", data={"status": "first"}, headers=headers)
        edited = await http.put(
            f"/api/v1/statuses/{posted.json()['id']}", data={"status": ""}, headers=headers
        )
        assert details_of(edited)["text"][0]["error"] == "ERR_BLANK"
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        kept = await http.post(
            "/api/v1/statuses", data={"status": "later", "scheduled_at": later}, headers=headers
        )
        path = f"/api/v1/scheduled_statuses/{kept.json()['id']}"
        moved = await http.put(path, data={"scheduled_at": SOON}, headers=headers)
        assert details_of(moved)["scheduled_at"][0]["error"] == "ERR_INVALID"
        blank = await http.put(path, data={}, headers=headers)
        assert details_of(blank) == {
            "scheduled_at": [{"error": "ERR_BLANK", "description": "can't be blank"}]
        }


async def test_profile_changes_over_the_limits_name_their_field(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "write")
        path = "/api/v1/accounts/update_credentials"
        name = await http.patch(path, data={"display_name": "n" * 31}, headers=headers)
        assert details_of(name) == {
            "display_name": [
                {"error": "ERR_TOO_LONG", "description": "is too long (maximum is 30 characters)"}
            ]
        }
        assert name.json()["error"] == (
            "Validation failed: Display name is too long (maximum is 30 characters)"
        )
        note = await http.patch(path, data={"note": "n" * 501}, headers=headers)
        assert details_of(note)["note"][0]["error"] == "ERR_TOO_LONG"
        privacy = await http.patch(path, data={"source[privacy]": "secret"}, headers=headers)
        assert details_of(privacy)["source[privacy]"][0]["error"] == "ERR_INCLUSION"


async def test_lists_filters_reports_media_and_mutes_name_their_field(served: Served) -> None:
    await add_member(served.context, "bob", "bob-password")
    bob = await account_id_of(served.context, "bob")
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "read write follow")
        blank_list = await http.post("/api/v1/lists", data={"title": " "}, headers=headers)
        assert details_of(blank_list)["title"][0]["error"] == "ERR_BLANK"
        assert blank_list.json()["error"] == "Validation failed: Title can't be blank"
        policy = await http.post(
            "/api/v1/lists", data={"title": "t", "replies_policy": "all"}, headers=headers
        )
        assert details_of(policy)["replies_policy"][0]["error"] == "ERR_INCLUSION"
        no_title = await http.post("/api/v2/filters", data={"context[]": "home"}, headers=headers)
        assert details_of(no_title)["title"][0]["error"] == "ERR_BLANK"
        where = await http.post(
            "/api/v2/filters", data={"title": "t", "context[]": "nowhere"}, headers=headers
        )
        assert details_of(where)["context"][0]["error"] == "ERR_INCLUSION"
        report = await http.post(
            "/api/v1/reports", data={"account_id": str(bob), "comment": "c" * 1001},
            headers=headers,
        )  # fmt: skip
        assert details_of(report)["comment"][0]["error"] == "ERR_TOO_LONG"
        mute = await http.post(
            f"/api/v1/accounts/{bob}/mute", data={"duration": "soon"}, headers=headers
        )
        assert details_of(mute)["duration"][0]["error"] == "ERR_INVALID"
        upload = await http.post("/api/v2/media", data={}, headers=headers)
        assert details_of(upload)["file"][0]["error"] == "ERR_BLANK"


async def test_nothing_internal_shows_in_a_refusal(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "write")
        answer = await http.post(
            "/api/v1/statuses", data={"status": "hi", "in_reply_to_id": "12345"}, headers=headers
        )
    details_of(answer)
    text = answer.text
    for internal in ("Traceback", "sqlite", "fedi.", "Error(", ".py"):
        assert internal not in text, text


async def test_mastodon_py_hands_apps_the_validation_message(served: Served) -> None:
    def run() -> list[tuple[int, str]]:
        seen = []
        with logged_in(served.base) as alice:
            attempts: list[Callable[[], object]] = [
                lambda: alice.status_post(" "),
                lambda: alice.status_post("Soon", scheduled_at=datetime.now(UTC)),
                lambda: alice.status_post("Poll", poll=alice.make_poll(["one"], 600)),
                lambda: alice.account_update_credentials(display_name="n" * 31),
                lambda: alice.list_create(" "),
            ]
            for attempt in attempts:
                with pytest.raises(MastodonAPIError) as refused:
                    attempt()
                seen.append((refused.value.args[1], refused.value.args[3]))
        return seen

    assert await asyncio.to_thread(run) == [
        (422, "Validation failed: Text can't be blank"),
        (422, "Validation failed: Scheduled at must be at least 5 minutes in the future"),
        (422, "Validation failed: Poll options must have more than one item"),
        (422, "Validation failed: Display name is too long (maximum is 30 characters)"),
        (422, "Validation failed: Title can't be blank"),
    ]
