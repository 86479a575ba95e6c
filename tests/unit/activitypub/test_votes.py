"""Vote-shaped Notes (Mastodon's and Misskey's) told apart from posts, and votes as we send them."""

from __future__ import annotations

from typing import Any

import pytest

from fedi.activitypub.votes import vote_from_ap

VOTE: dict[str, Any] = {
    "id": "https://b.example/users/bob#votes/1",
    "type": "Note",
    "name": "Office",
    "attributedTo": "https://b.example/users/bob",
    "inReplyTo": "https://a.example/users/alice/statuses/1",
    "to": ["https://a.example/users/alice"],
}


def test_a_mastodon_vote_is_a_vote() -> None:
    vote = vote_from_ap(VOTE)
    assert vote is not None
    assert (vote.name, vote.in_reply_to_uri, vote.author_uri) == (
        "Office", VOTE["inReplyTo"], VOTE["attributedTo"],
    )  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"content": "<p>a reply with a title</p>"},
        {"attachment": [{"type": "Document", "url": "https://b.example/a.png"}]},
        {"name": ""},
        {"name": ["Office"]},
        {"inReplyTo": None},
        {"inReplyTo": "javascript:alert(1)"},
        {"type": "Question"},
        {"type": ["Note", "Article"]},
    ],
)
def test_other_notes_are_not_votes(change: dict[str, Any]) -> None:
    assert vote_from_ap({**VOTE, **change}) is None


def test_a_huge_name_matches_no_option() -> None:
    vote = vote_from_ap({**VOTE, "name": "x" * 1_000_000})
    assert vote is not None and vote.name == ""
