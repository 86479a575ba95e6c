"""Local statuses as ActivityPub objects (Note, Question) and the activities that carry them,
addressed as Mastodon addresses its four visibilities."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.vocab import NOTE_CONTEXT, PUBLIC
from fedi.core.models import Account, Status, StatusDetails, is_expired
from fedi.core.timeutil import to_ap, utcnow
from fedi.core.urls import Urls


def addressing(
    visibility: str, followers_uri: str | None, mention_uris: list[str]
) -> tuple[list[str], list[str]]:
    """to/cc per Mastodon: public to Public; unlisted cc Public; private to followers; direct to
    the mentioned accounts only. Mentions go in cc, or in to for a direct message."""
    followers = [followers_uri] if followers_uri else []
    if visibility == "public":
        return [PUBLIC], followers + mention_uris
    if visibility == "unlisted":
        return followers, [PUBLIC, *mention_uris]
    if visibility == "private":
        return followers, mention_uris
    return mention_uris, []


def handle_of(mention_username: str, mention_domain: str | None, our_domain: str) -> str:
    return f"@{mention_username}@{mention_domain or our_domain}"


def _local_type(status: Status) -> str:
    """What a local status is served as: a Note, or an Article (a newsletter issue)."""
    return "Article" if status.object_type == "Article" else "Note"


def note_to_ap(
    status: Status,
    author: Account,
    details: StatusDetails,
    urls: Urls,
    domain: str,
    *,
    with_context: bool = True,
    in_reply_to_uri: str | None = None,
    audience: str | None = None,
) -> dict[str, Any]:
    to, cc = addressing(status.visibility, author.followers_uri, [m.uri for m in details.mentions])
    tags: list[dict[str, Any]] = [
        {"type": "Mention", "href": m.uri, "name": handle_of(m.username, m.domain, domain)}
        for m in details.mentions
    ]
    tags += [
        {"type": "Hashtag", "href": urls.tag(name), "name": f"#{name}"} for name in details.tags
    ]
    note: dict[str, Any] = {
        "id": status.uri,
        "type": "Question" if details.poll else _local_type(status),
        # An Article's title (a newsletter issue); a Note has none.
        "name": status.title or None if status.object_type == "Article" else None,
        "summary": status.spoiler_text or None,
        "inReplyTo": in_reply_to_uri or status.in_reply_to_uri,
        "published": to_ap(status.created_at),
        "url": status.url,
        "attributedTo": author.uri,
        "to": to,
        "cc": cc,
        "sensitive": status.is_sensitive,
        "content": status.content,
        "attachment": [
            {
                "type": "Document",
                "mediaType": a.media_type,
                "url": urls.attachment(a.file) if a.file else a.url,
                "name": a.description or None,
                "blurhash": a.blurhash,
                # A document has no focal point, BlurHash or size: only what it is and where.
                "focalPoint": [a.focus_x, a.focus_y] if a.file and a.preview_file else None,
                "width": a.width,
                "height": a.height,
            }
            for a in details.attachments
        ],
        "tag": tags,
        "replies": f"{status.uri}/replies",
    }
    if status.thread_uri:
        note["context"] = status.thread_uri
    if audience:
        note["audience"] = audience  # the group the post belongs to (FEP-1b12)
    if status.language:
        note["contentMap"] = {status.language: status.content}
    if status.edited_at:
        note["updated"] = to_ap(status.edited_at)
    if details.poll:
        key = "anyOf" if details.poll.is_multiple else "oneOf"
        ended = is_expired(details.poll, utcnow())
        hidden = details.poll.hide_totals and not ended  # hidden totals stay here until the end
        note[key] = [
            {
                "type": "Note",
                "name": o.title,
                "replies": {"type": "Collection", "totalItems": 0 if hidden else o.votes},
            }
            for o in details.poll.options
        ]
        if details.poll.expires_at:
            note["endTime"] = to_ap(details.poll.expires_at)
            note["closed"] = note["endTime"] if ended else None
        note["votersCount"] = 0 if hidden else details.poll.voters_count or 0
    note = {k: v for k, v in note.items() if v is not None}
    note["attachment"] = [{k: v for k, v in a.items() if v is not None} for a in note["attachment"]]
    if with_context:
        note = {"@context": NOTE_CONTEXT, **note}
    return note


def wrap(kind: str, activity_id: str, actor: Account, obj: Any, to: list[str], cc: list[str],
         published: str | None = None) -> dict[str, Any]:  # fmt: skip
    activity: dict[str, Any] = {
        "@context": NOTE_CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor.uri,
        "to": to,
        "cc": cc,
        "object": obj,
    }
    if published:
        activity["published"] = published
    return activity


def undo(activity: dict[str, Any], actor: Account) -> dict[str, Any]:
    """Undo of one of our own activities, addressed as the activity was."""
    original = {k: v for k, v in activity.items() if k != "@context"}
    return wrap(
        "Undo", f"{original['id']}/undo", actor, original, original.get("to", []),
        original.get("cc", []),
    )  # fmt: skip


def create_to_ap(
    note: dict[str, Any], author: Account, *, with_context: bool = True
) -> dict[str, Any]:
    body = {k: v for k, v in note.items() if k != "@context"}
    activity = wrap(
        "Create", f"{note['id']}/activity", author, body, body["to"], body["cc"], body["published"]
    )
    if "audience" in body:
        activity["audience"] = body["audience"]  # as Lemmy sends it, on both
    if not with_context:
        activity.pop("@context")
    return activity
