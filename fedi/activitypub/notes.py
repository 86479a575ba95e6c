"""Local statuses as ActivityPub Notes and the Create activities that carry them."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.vocab import NOTE_CONTEXT, PUBLIC
from fedi.models import Account, Status
from fedi.timeutil import to_ap


def addressing(status: Status, author: Account) -> tuple[list[str], list[str]]:
    """to/cc as Mastodon addresses its visibilities (mentions come with the federation issue)."""
    followers = author.followers_uri or ""
    if status.visibility == "public":
        return [PUBLIC], [followers]
    if status.visibility == "unlisted":
        return [followers], [PUBLIC]
    if status.visibility == "private":
        return [followers], []
    return [], []


def note_to_ap(status: Status, author: Account, with_context: bool = True) -> dict[str, Any]:
    to, cc = addressing(status, author)
    note: dict[str, Any] = {
        "id": status.uri,
        "type": "Note",
        "summary": status.spoiler_text or None,
        "inReplyTo": status.in_reply_to_uri,
        "published": to_ap(status.created_at),
        "url": status.url,
        "attributedTo": author.uri,
        "to": to,
        "cc": cc,
        "sensitive": status.is_sensitive,
        "content": status.content,
        "attachment": [],
        "tag": [],
    }
    if status.language:
        note["contentMap"] = {status.language: status.content}
    if status.edited_at:
        note["updated"] = to_ap(status.edited_at)
    if with_context:
        note = {"@context": NOTE_CONTEXT, **note}
    return note


def create_to_ap(status: Status, author: Account, with_context: bool = True) -> dict[str, Any]:
    note = note_to_ap(status, author, with_context=False)
    activity: dict[str, Any] = {
        "id": f"{status.uri}/activity",
        "type": "Create",
        "actor": author.uri,
        "published": note["published"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }
    if with_context:
        activity = {"@context": NOTE_CONTEXT, **activity}
    return activity
