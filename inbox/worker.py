"""The inbox worker: takes stored activities in order and runs their handler.

Row states (inbox_activities): pending -> done when the handler succeeds or the type is not one
we act on; pending -> failed for an invalid activity; a transient failure (the remote server is
away) stays pending with attempts + 1 and a later next_attempt_at, up to MAX_ATTEMPTS; one that
asking again cannot mend (a refused domain) fails at once. An activity whose actor is suspended
here, or whose domain became refused after it was received, is dropped (done, nothing run).
Once an activity is done or failed, an FEP-8fcf header that came with it is applied
(fedi.groups.followers_sync).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from fedi.activitypub.parse import InvalidActivity
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, inbox_activities
from fedi.db.inbox_activities import InboxRow
from fedi.federation.dereference import DereferenceError
from fedi.federation.remote_accounts import ActorError
from fedi.groups.followers_sync import SyncError, synchronize
from fedi.transport.http import FetchError
from inbox.handlers import HANDLERS
from inbox.handlers.common import Incoming

log = logging.getLogger(__name__)
BATCH = 50
MAX_ATTEMPTS = 6
TRANSIENT = (DereferenceError, ActorError, FetchError)


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 ... minutes: a remote server that is briefly away gets a few chances."""
    return timedelta(minutes=4**attempts)


class InboxWorker:
    def __init__(self, context: Context, clock: Callable[[], datetime] = utcnow) -> None:
        self.context = context
        self.clock = clock

    async def run_once(self) -> int:
        """Process what is due now; returns how many activities were taken."""
        async with self.context.db.read() as conn:
            rows = await inbox_activities.due(conn, to_db(self.clock()), BATCH)
        for row in rows:
            await self.process(row)
        return len(rows)

    async def process(self, row: InboxRow) -> None:
        outcome: Callable[[sqlite3.Connection], None]
        finished = True
        try:
            await self._handle(row)
            outcome = lambda conn: inbox_activities.mark_done(conn, row.id)  # noqa: E731
        except InvalidActivity as exc:
            log.info("refused %s %s from %s: %s", row.type, row.activity_uri, row.actor_uri, exc)
            reason = str(exc)
            outcome = lambda conn: inbox_activities.mark_failed(conn, row.id, reason)  # noqa: E731
        except TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
            if not getattr(exc, "retryable", True) or row.attempts + 1 >= MAX_ATTEMPTS:
                outcome = lambda conn: inbox_activities.mark_failed(conn, row.id, error)  # noqa: E731
            else:
                later = to_db(self.clock() + retry_delay(row.attempts))
                finished = False
                outcome = lambda conn: inbox_activities.reschedule(conn, row.id, error, later)  # noqa: E731
        except Exception as exc:  # the worker's top level: record the error on the row
            log.exception("handler for %s %s failed", row.type, row.activity_uri)
            error = f"{type(exc).__name__}: {exc}"
            outcome = lambda conn: inbox_activities.mark_failed(conn, row.id, error)  # noqa: E731
        await self.context.db.write(outcome)
        if finished:
            await self._synchronize(row)

    async def _synchronize(self, row: InboxRow) -> None:
        """Apply the delivery's FEP-8fcf header. A failure is only logged: the sender puts the
        header on every delivery, so the next one tries again."""
        if row.collection_sync is None:
            return
        async with self.context.db.read() as conn:
            sender = await accounts.get_by_uri(conn, row.actor_uri)
        if sender is None:
            return
        try:
            await synchronize(self.context, sender, row.collection_sync)
        except (SyncError, *TRANSIENT) as exc:
            log.info("follower synchronisation from %s (activity %s) skipped: %s",
                     row.actor_uri, row.activity_uri, exc)  # fmt: skip
        except Exception:  # like a handler's: never stops the worker
            log.exception("follower synchronisation from %s failed", row.actor_uri)

    async def _handle(self, row: InboxRow) -> None:
        handler = HANDLERS.get(row.type)
        if handler is None:
            return  # an activity type we do not act on
        async with self.context.db.read() as conn:
            actor = await accounts.get_by_uri(conn, row.actor_uri)
        if actor is None:
            return  # the actor was deleted meanwhile
        policy = await self.context.policy.refresh(self.context.db)
        if actor.is_suspended or (actor.domain is not None and policy.refuses(actor.domain)):
            log.info("dropped %s %s: %s is suspended or refused", row.type, row.activity_uri,
                     row.actor_uri)  # fmt: skip
            return
        activity = json.loads(row.body)
        await handler(self.context, Incoming(activity, actor, row.recipient_id))

    async def run(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        while not stop.is_set():
            if await self.run_once():
                continue
            self.context.wake.inbox.clear()
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self.context.wake.inbox)]
            await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
