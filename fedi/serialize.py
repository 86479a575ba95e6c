"""Statuses as the ActivityPub documents this server serves and sends."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.notes import note_to_ap
from fedi.context import Context
from fedi.db import accounts, statuses
from fedi.models import Account, Status


async def note_document(
    context: Context, status: Status, author: Account, *, with_context: bool = True
) -> dict[str, Any]:
    async with context.db.read() as conn:
        details = await statuses.details(conn, status.id)
        group = await accounts.get_by_id(conn, status.group_id) if status.group_id else None
    return note_to_ap(
        status, author, details, context.urls, context.settings.domain, with_context=with_context,
        audience=group.uri if group is not None else None,
    )  # fmt: skip
