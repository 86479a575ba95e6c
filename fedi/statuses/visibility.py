"""Whether a viewer may see a post at all: the one rule the client API, the pages and the
reports share (a thread, a search result, an action on a post all ask it first)."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Status, User
from fedi.statuses.batch import Batch, load
from fedi.statuses.timeline_rules import moderated_away


async def visible_to(context: Context, status: Status, viewer: User | None) -> bool:
    """Whether the viewer (a member of this instance, or None for anyone) may see the post."""
    batch = await load(context, [status], viewer.account if viewer else None)
    return visible_in(batch, status, viewer)


def visible_in(batch: Batch, status: Status, viewer: User | None) -> bool:
    """visible_to for a status of a batch loaded for this viewer. A local-only post is for
    members alone; to anyone else it does not exist."""
    if status.is_local_only and viewer is None:
        return False
    if moderated_away(batch, None, status, "account"):
        return False  # a suspended author's post, or a boost of one (security.md M7)
    in_group = batch.may_see_group_post(status)
    if in_group is not None:
        return in_group  # a private group's post: its members only, at this moment
    if status.visibility in ("public", "unlisted"):
        return True
    if viewer is None:
        return False
    if status.account_id == viewer.account.id:
        return True
    if any(m.account_id == viewer.account.id for m in batch.details_of(status).mentions):
        return True
    return status.visibility == "private" and status.account_id in batch.followed
