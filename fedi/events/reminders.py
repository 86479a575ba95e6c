"""Reminders: a notification to each accepted local registrant 24 hours and 1 hour before an
event starts, each exactly once (the event_reminders row and the notification are written in
one transaction, and a reminder already recorded is never sent again). Run every minute by the
events loop (fedi.events.loop), with an injectable clock. Reminder mails will join them once
mail exists; no reminder ever carries a members-only space's content outside the notification."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta

from fedi.context import Context
from fedi.core.timeutil import to_db
from fedi.db import event_registrations
from fedi.db import events as event_rows

log = logging.getLogger(__name__)
BATCH = 200
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
