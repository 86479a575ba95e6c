"""Reminders: a notification to each accepted local registrant 24 hours and 1 hour before an
event starts, each exactly once (the event_reminders row and the notification are written in
one transaction, and a reminder already recorded is never sent again). Run every minute by the
background workers, with an injectable clock. Reminder mails will join them once mail exists;
no reminder ever carries a members-only space's content outside the notification."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import event_registrations
from fedi.db import events as event_rows

log = logging.getLogger(__name__)
BATCH = 200
INTERVAL = 60.0  # seconds between checks
KIND = "event_reminder"


async def send_due_reminders(context: Context, now: datetime) -> int:
    """Notify whoever is due a reminder at `now`; returns how many were sent."""
    stamp = to_db(now)
    async with context.db.read() as conn:
        due = await event_registrations.due_reminders(
            conn, stamp, to_db(now + timedelta(hours=24)), to_db(now + timedelta(hours=1)), BATCH
        )
    if not due:
        return 0

    def write(conn: sqlite3.Connection) -> int:
        sent = 0
        for event_id, account_id, kind in due:
            if not event_registrations.mark_reminded(conn, event_id, account_id, kind, stamp):
                continue  # another run got there first
            event = event_rows.event_by_id(conn, event_id)
            if event is None:
                continue
            event_registrations.notify(
                conn, [account_id], KIND, event.organiser_id, event_id, stamp
            )
            sent += 1
        return sent

    sent = await context.db.write(write)
    log.info("sent %d event reminders", sent)
    return sent


class ReminderLoop:
    def __init__(self, context: Context, clock: Callable[[], datetime] = utcnow) -> None:
        self.context = context
        self.clock = clock

    async def run(self, stop: asyncio.Event, interval: float = INTERVAL) -> None:
        while not stop.is_set():
            try:
                busy = await send_due_reminders(self.context, self.clock())
            except Exception:  # the loop's top level: log and try again at the next check
                log.exception("event reminders failed")
                busy = 0
            if busy >= BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
