"""The events loop, one of the background workers: every round it sends the reminders that are
due (fedi.events.reminders) and one Update{Event} per local event whose counts changed
(fedi.events.events.send_pending_updates), with an injectable clock for tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.events.events import send_pending_updates
from fedi.events.reminders import BATCH, send_due_reminders

log = logging.getLogger(__name__)
INTERVAL = 60.0  # seconds between rounds


async def tick(context: Context, now: datetime) -> int:
    """One round at `now`; returns how much it did."""
    return await send_due_reminders(context, now) + await send_pending_updates(context)


class EventsLoop:
    def __init__(self, context: Context, clock: Callable[[], datetime] = utcnow) -> None:
        self.context = context
        self.clock = clock

    async def run(self, stop: asyncio.Event, interval: float = INTERVAL) -> None:
        while not stop.is_set():
            try:
                busy = await tick(self.context, self.clock())
            except Exception:  # the loop's top level: log and try again next round
                log.exception("events loop round failed")
                busy = 0
            if busy >= BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
