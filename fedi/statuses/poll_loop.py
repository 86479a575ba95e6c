"""The poll loop: each tick sends one Update{Question} per poll of ours whose counts changed
(votes between two ticks share it, as Mastodon debounces its poll updates), and processes the
end of every poll once: `poll` notifications to the author (ours) and local voters, and for our
polls the final counts to their audience.

Poll rows: update_pending 1 -> 0 when its Update is queued; closed_at NULL -> set when the end is
processed (in the same transaction as the notifications, so they go exactly once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fedi.activitypub.notes import wrap
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account, Status
from fedi.core.rounds import repeat
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.db import accounts, statuses
from fedi.db import polls as db_polls
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.serialize import note_document
from fedi.statuses.posting import audience_for

log = logging.getLogger(__name__)
BATCH = 100
INTERVAL = 15.0  # seconds between ticks


async def question_update(
    context: Context, status: Status, author: Account, now: datetime
) -> tuple[dict[str, Any], Audience]:
    """Update{Question} with the current counts, for whoever got the poll plus its remote voters
    (posting.audience_for: a followers-only poll goes to followers and the mentioned only)."""
    document = await note_document(context, status, author, with_context=False)
    activity = wrap(
        "Update", f"{status.uri}#updates/{new_id()}", author, document, document["to"],
        document["cc"], to_ap(now),
    )  # fmt: skip
    async with context.db.read() as conn:
        mentioned = await statuses.mentioned_account_ids(conn, status.id)
        voters = await db_polls.remote_voters(conn, status.id)
    return activity, audience_for(status, mentioned, tuple(voters))


async def _status_and_author(
    context: Context, status_id: int
) -> tuple[Status | None, Account | None]:
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
        author = await accounts.get_by_id(conn, status.account_id) if status else None
    return status, author


async def send_pending_updates(context: Context, now: datetime) -> int:
    async with context.db.read() as conn:
        pending = await db_polls.pending_updates(conn, BATCH)
    for status_id in pending:
        await _send_update(context, status_id, now)
    if pending:
        context.wake.outbox.set()
    return len(pending)


async def _send_update(context: Context, status_id: int, now: datetime) -> None:
    # Taken before the document is built: a vote counted meanwhile flags the poll again.
    if not await context.db.write(lambda conn: db_polls.take_update(conn, status_id)):
        return
    status, author = await _status_and_author(context, status_id)
    if status is None or author is None or not status.is_local or status.is_local_only:
        return
    activity, audience = await question_update(context, status, author, now)
    stamp = to_db(now)
    await context.db.write(lambda conn: enqueue(conn, author.id, activity, audience, stamp))


async def close_due_polls(context: Context, now: datetime) -> int:
    async with context.db.read() as conn:
        due = await db_polls.due_to_close(conn, to_db(now), BATCH)
    for status_id in due:
        await _close(context, status_id, now)
    if due:
        context.wake.outbox.set()
    return len(due)


async def _close(context: Context, status_id: int, now: datetime) -> None:
    status, author = await _status_and_author(context, status_id)
    if status is None or author is None:
        return
    # Votes after the end are refused, so the counts in this Update are final.
    sent = status.is_local and not status.is_local_only  # a local-only poll stays here
    update = await question_update(context, status, author, now) if sent else None
    stamp = to_db(now)

    def close(conn: Connection) -> None:
        if not db_polls.mark_closed(conn, status.id, stamp):
            return
        voters = [v for v in db_polls.local_voters(conn, status.id) if v != status.account_id]
        owner = [status.account_id] if status.is_local else []
        db_polls.notify_ended(conn, owner + voters, status.account_id, status.id, stamp)
        if update is not None:
            enqueue(conn, status.account_id, update[0], update[1], stamp)

    await context.db.write(close)
    log.info("poll of %s ended", status.uri)


async def tick(context: Context, now: datetime) -> int:
    """One round of the loop at `now`; returns how many polls it handled. Ends come first: an
    ended poll's final Update replaces any pending one."""
    return await close_due_polls(context, now) + await send_pending_updates(context, now)


class PollLoop:
    def __init__(self, context: Context, clock: Callable[[], datetime] = utcnow) -> None:
        self.context = context
        self.clock = clock

    async def run(self, stop: asyncio.Event, interval: float = INTERVAL) -> None:
        await repeat(
            stop, lambda: tick(self.context, self.clock()), name="poll loop",
            interval=interval, full=BATCH,
        )  # fmt: skip
