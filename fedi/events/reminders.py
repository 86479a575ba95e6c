"""Reminders: a notification to each accepted local registrant 24 hours and 1 hour before an
event starts, each exactly once (the event_reminders row and the notification are written in
one transaction, and a reminder already recorded is never sent again). Run every minute by the
events loop (fedi.events.loop), with an injectable clock. Each reminder also goes by mail
(fedi.events.mails), which never carries a members-only space's content."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from fedi.context import Context
from fedi.core.timeutil import to_db
from fedi.db import event_registrations
from fedi.db import events as event_rows
from fedi.db.connection import Connection
from fedi.db.events import Event
from fedi.events.mails import mail_reminder

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

    def write(conn: Connection) -> list[tuple[Event, int]]:
        sent = []
        for event_id, account_id, kind in due:
            if not event_registrations.mark_reminded(conn, event_id, account_id, kind, stamp):
                continue  # another run got there first
            event = event_rows.event_by_id(conn, event_id)
            if event is None:
                continue
            event_registrations.notify(
                conn, [account_id], KIND, event.organiser_id, event_id, stamp
            )
            sent.append((event, account_id))
        return sent

    sent = await context.db.write(write)
    for event, account_id in sent:  # the mail after the notification, which is the record
        await mail_reminder(context, event, account_id)
    log.info("sent %d event reminders", len(sent))
    return len(sent)
