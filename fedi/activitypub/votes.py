"""Poll votes as ActivityPub carries them (Mastodon's shape, which Misskey and others share): a
Create of a Note whose `name` is the option, `inReplyTo` the Question, with no content, addressed
to the poll's author only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fedi.activitypub.notes import wrap
from fedi.activitypub.parse import as_list, required_uri, types_of, uri_of
from fedi.core.models import Account

MAX_NAME = (
    200  # longer than any option we allow (fedi.statuses.polls); a longer name matches nothing
)


@dataclass(frozen=True)
class ParsedVote:
    uri: str
    name: str
    in_reply_to_uri: str
    author_uri: str | None


def vote_from_ap(document: dict[str, Any]) -> ParsedVote | None:
    """The vote this object is, or None when it is not vote-shaped (then it is an ordinary
    post, with content, for the usual handling)."""
    if types_of(document) != {"Note"}:
        return None
    name = document.get("name")
    in_reply_to = uri_of(document.get("inReplyTo"))
    if not isinstance(name, str) or not name or in_reply_to is None:
        return None
    if document.get("content") or document.get("attachment"):
        return None  # a titled reply, not a vote
    authors = [uri_of(a) for a in as_list(document.get("attributedTo"))]
    return ParsedVote(
        uri=required_uri(document, "id"),
        name=name if len(name) <= MAX_NAME else "",
        in_reply_to_uri=in_reply_to,
        author_uri=authors[0] if len(authors) == 1 else None,
    )


def vote_to_ap(
    vote_uri: str, voter: Account, question_uri: str, author: Account, option: str
) -> dict[str, Any]:
    note = {
        "id": vote_uri,
        "type": "Note",
        "name": option,
        "attributedTo": voter.uri,
        "inReplyTo": question_uri,
        "to": [author.uri],
    }
    return wrap("Create", f"{vote_uri}/activity", voter, note, [author.uri], [])
