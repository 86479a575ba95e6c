"""Addressing both ways, as Mastodon does it: our four visibilities out, and its reading in."""

from __future__ import annotations

from typing import Any

import pytest

from fedi.activitypub.notes import addressing
from fedi.activitypub.parse import InvalidActivity
from fedi.activitypub.remote_note import note_from_ap, visibility_of

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
FOLLOWERS = "https://a.example/users/alice/followers"
BOB = "https://b.example/users/bob"


@pytest.mark.parametrize(
    ("visibility", "to", "cc"),
    [
        ("public", [PUBLIC], [FOLLOWERS, BOB]),
        ("unlisted", [FOLLOWERS], [PUBLIC, BOB]),
        ("private", [FOLLOWERS], [BOB]),
        ("direct", [BOB], []),
    ],
)
def test_outgoing_addressing(visibility: str, to: list[str], cc: list[str]) -> None:
    assert addressing(visibility, FOLLOWERS, [BOB]) == (to, cc)


def note(**fields: Any) -> dict[str, Any]:
    return {
        "id": "https://a.example/notes/1",
        "type": "Note",
        "attributedTo": "https://a.example/users/alice",
        "content": "<p>x</p>",
    } | fields


@pytest.mark.parametrize(
    ("to", "cc", "expected"),
    [
        ([PUBLIC], [], "public"),
        (["as:Public"], [], "public"),
        (["Public"], [], "public"),
        ([FOLLOWERS], [PUBLIC], "unlisted"),
        ([FOLLOWERS], [], "private"),
        (["https://g.example/groups/x/followers"], [], "direct"),  # not the author's followers
        ([BOB], [], "direct"),
    ],
)
def test_incoming_visibility(to: list[str], cc: list[str], expected: str) -> None:
    assert visibility_of(note_from_ap(note(to=to, cc=cc)), FOLLOWERS) == expected


def test_remote_html_is_sanitised_and_summary_becomes_plain_text() -> None:
    parsed = note_from_ap(
        note(
            content='<p onclick="x">hi<script>alert(1)</script><a href="javascript:x">l</a></p>',
            summary="<b>CW</b> &amp; more",
        )
    )
    assert "script" not in parsed.content and "onclick" not in parsed.content
    assert "javascript" not in parsed.content
    assert parsed.spoiler_text == "CW & more"
    assert parsed.is_sensitive


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "Person"},
        {"id": "not a url"},
        {"attributedTo": "https://other.example/users/x"},  # author on another host
        {"attributedTo": None},
        {"content": "x" * 200_000},
    ],
)
def test_unacceptable_notes(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidActivity):
        note_from_ap(note(**fields))


def test_lemmy_page_with_a_community_in_attributed_to() -> None:
    parsed = note_from_ap(
        note(
            type="Page",
            name="A title",
            attributedTo=["https://a.example/users/alice", "https://a.example/c/main"],
            audience="https://a.example/c/main",
        )
    )
    assert parsed.object_type == "Page"
    assert parsed.title == "A title"
    assert parsed.author_uri == "https://a.example/users/alice"
