"""The activities a public group sends (FEP-1b12, as Lemmy sends them): an Announce of a member's
activity or post, addressed to Public and the group's followers; a Reject of a Create it will not
share; a moderator's removal of a post (a Delete with the group as audience and the reason as
summary)."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.notes import wrap
from fedi.activitypub.vocab import PUBLIC
from fedi.core.models import Account


def without_context(activity: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in activity.items() if k != "@context"}


def announce(
    group: Account, announce_id: str, obj: Any, published: str | None = None
) -> dict[str, Any]:
    """The group shares obj (an activity, embedded as received, or a post's id) with everyone,
    delivered to its followers (Lemmy: to Public, cc the community's followers)."""
    embedded = without_context(obj) if isinstance(obj, dict) else obj
    return wrap(
        "Announce", announce_id, group, embedded, [PUBLIC], [group.followers_uri or ""], published
    )


def reject_create(group: Account, reject_id: str, create: dict[str, Any]) -> dict[str, Any]:
    """The group will not share a post: the Create is named by its id, actor and post id, so the
    author's server can tell which one, without the content sent back."""
    author = create.get("actor")
    obj = create.get("object")
    refused = {
        "id": create.get("id"),
        "type": "Create",
        "actor": author,
        "object": obj.get("id") if isinstance(obj, dict) else obj,
    }
    return wrap("Reject", reject_id, group, refused, [str(author)], [])


def removal(
    moderator: Account, delete_id: str, group: Account, post_uri: str, reason: str
) -> dict[str, Any]:
    """A moderator removes a post from the group (Lemmy's Delete with a summary is a removal)."""
    delete = wrap("Delete", delete_id, moderator, post_uri, [PUBLIC], [group.uri])
    delete["audience"] = group.uri
    if reason:
        delete["summary"] = reason
    return delete
