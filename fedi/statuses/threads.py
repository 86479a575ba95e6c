"""A post's thread as a viewer sees it: its ancestors and replies (two statements whatever the
thread's size), loaded at once with the post and kept to what the viewer may see (Mastodon's
StatusFilter on both sides). The client API's context and the thread page both read it here."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Status, User
from fedi.db import statuses
from fedi.statuses.batch import Batch, load
from fedi.statuses.visibility import visible_in


@dataclass(frozen=True)
class Thread:
    status: Status
    ancestors: list[Status]  # oldest first
    descendants: list[Status]  # level by level
    batch: Batch  # loaded for the viewer, the post itself included


async def thread_of(context: Context, status: Status, viewer: User | None) -> Thread:
    """The thread around a post the viewer may see (the caller asked visible_to first)."""
    async with context.db.read_now() as conn:
        ancestors, descendants = await statuses.thread_of(conn, status)
    batch = await load(
        context, [*ancestors, status, *descendants], viewer.account if viewer else None
    )
    return Thread(
        status=status,
        ancestors=[s for s in ancestors if visible_in(batch, s, viewer)],
        descendants=[s for s in descendants if visible_in(batch, s, viewer)],
        batch=batch,
    )
