"""A private group's copy of a member's submission as ActivityStreams, and the Reject a group
sends back for a submission it does not share (groups.md, PRIVATE GROUP).

The copy is the group's own followers-only post: `to` the group's followers and nobody else, so
Mastodon files it as the group's private post (status_parser.rb#visibility) and never lets
anyone boost it. `audience` names the group (FEP-1b12), `context` the thread (FEP-7888),
`nb:submittedBy` the member who wrote it, an FEP-e232 Link the original submission, and
GoToSocial's interactionPolicy says that only the group may announce or quote it and only its
members reply (FEP-044f quotes read canQuote)."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.notes import wrap
from fedi.activitypub.vocab import (
    AS_CONTEXT,
    GROUP_NAMESPACE,
    LD_JSON_PROFILE,
    NOTE_EXTENSIONS,
)
from fedi.core.models import Account

SUBMISSION_REL = "https://w3id.org/fep/e232/submission"
GTS_NAMESPACE = "https://gotosocial.org/ns#"
COPY_EXTENSIONS: dict[str, Any] = {
    **NOTE_EXTENSIONS,
    "nb": GROUP_NAMESPACE,
    "gts": GTS_NAMESPACE,
    "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
    "canLike": {"@id": "gts:canLike", "@type": "@id"},
    "canReply": {"@id": "gts:canReply", "@type": "@id"},
    "canAnnounce": {"@id": "gts:canAnnounce", "@type": "@id"},
    "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
    "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
    "manualApproval": {"@id": "gts:manualApproval", "@type": "@id"},
}
COPY_CONTEXT: list[Any] = [AS_CONTEXT, COPY_EXTENSIONS]


def interaction_policy(group: Account) -> dict[str, Any]:
    followers = group.followers_uri or group.uri
    return {
        "canLike": {"automaticApproval": [followers]},
        "canReply": {"automaticApproval": [followers]},
        "canAnnounce": {"automaticApproval": [group.uri]},
        "canQuote": {"automaticApproval": [group.uri]},
    }


def copy_to_ap(
    note: dict[str, Any],
    group: Account,
    *,
    thread_uri: str,
    submitted_by_uri: str | None,
    submission_uri: str | None,
) -> dict[str, Any]:
    """A group copy from the Note note_to_ap made of it: addressed to the members only (never
    Public, never bto/bcc, security.md V3), with the group's extensions."""
    copy = {k: v for k, v in note.items() if k not in ("bto", "bcc")}
    copy["to"] = [group.followers_uri or group.uri]
    copy["cc"] = []
    copy["audience"] = group.uri
    copy["context"] = thread_uri
    if submitted_by_uri:
        copy["nb:submittedBy"] = submitted_by_uri
    tags = list(copy.get("tag", []))
    if submission_uri:
        tags.append(
            {
                "type": "Link",
                "mediaType": LD_JSON_PROFILE,
                "href": submission_uri,
                "rel": SUBMISSION_REL,
            }
        )
    copy["tag"] = tags
    copy["interactionPolicy"] = interaction_policy(group)
    if "@context" in copy:
        copy["@context"] = COPY_CONTEXT
    return copy


def reject_to_ap(
    group: Account, reject_id: str, activity_id: str, kind: str, author_uri: str, object_uri: str
) -> dict[str, Any]:
    """Reject{Create} (or Reject{Update}) of a member's submission, to its author only."""
    refused = {"id": activity_id, "type": kind, "actor": author_uri, "object": object_uri}
    return wrap("Reject", reject_id, group, refused, [author_uri], [])
