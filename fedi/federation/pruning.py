"""Finished queue rows forgotten after KEEP, every hour: activities received and handled (done
or failed), raw bodies and all, and activities published whose every delivery is done or failed,
with their deliveries. Kept forever, they would hold a copy of every activity that ever came or
went, a deleted post's among them, and grow the queues' tables and indexes without end.

A sender retries an activity for about 2.6 days at most (Mastodon): within KEEP, a repeat is
skipped by its id; later, it is handled again and its handler finds what it wrote the first
time (the handlers are idempotent by what they store)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from fedi.context import Context
from fedi.core.ids import first_id_at
from fedi.core.rounds import repeat
from fedi.core.timeutil import to_db, utcnow
from fedi.db import inbox_activities, outbox_activities
from fedi.db.connection import Connection

KEEP = timedelta(days=7)
EVERY = 3600.0  # seconds between rounds
PER_WRITE = 500  # rows (or published activities, with their deliveries) forgotten per write


async def prune_round(context: Context, now: datetime | None = None) -> int:
    """Forget what finished before now - KEEP, a few hundred rows per write (so that other
    writes go in between); returns how many received and published activities went."""
    before = (now or utcnow()) - KEEP
    received = await _in_writes(
        context, lambda conn: inbox_activities.forget_before(conn, to_db(before), PER_WRITE)
    )
    before_id = first_id_at(int(before.timestamp() * 1000))
    published = await _in_writes(
        context, lambda conn: outbox_activities.forget_before(conn, before_id, PER_WRITE)
    )
    return received + published


async def _in_writes(context: Context, forget: Callable[[Connection], int]) -> int:
    total = 0
    while True:
        forgotten = await context.db.write(forget)
        total += forgotten
        if forgotten < PER_WRITE:
            return total


async def run(context: Context, stop: asyncio.Event, every: float = EVERY) -> None:
    await repeat(stop, lambda: prune_round(context), name="queue pruning", interval=every)
