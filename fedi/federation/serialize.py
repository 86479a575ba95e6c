"""Statuses as the ActivityPub documents this server serves and sends."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.group_notes import copy_to_ap
from fedi.activitypub.notes import note_to_ap
from fedi.context import Context
from fedi.core.models import Account, Status
from fedi.db import accounts, statuses


async def note_document(
    context: Context, status: Status, author: Account, *, with_context: bool = True
) -> dict[str, Any]:
    async with context.db.read() as conn:
        details = await statuses.details(conn, status.id)
        group = await accounts.get_by_id(conn, status.group_id) if status.group_id else None
        submitter = (
            await accounts.get_by_id(conn, status.submitted_by_id)
            if status.submitted_by_id
            else None
        )
    note = note_to_ap(
        status, author, details, context.urls, context.settings.domain, with_context=with_context
    )
    if group is None:
        return note
    if group.id == status.account_id and status.visibility == "private":
        # A private group's own copy of a member's post.
        return copy_to_ap(
            note, group, thread_uri=status.thread_uri or status.uri,
            submitted_by_uri=submitter.uri if submitter else None,
            submission_uri=status.submission_uri,
        )  # fmt: skip
    note["audience"] = group.uri  # FEP-1b12: the group the post belongs to
    return note
