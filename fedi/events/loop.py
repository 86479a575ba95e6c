"""The events loop, one of the background workers: every round it sends the reminders that are
due (fedi.events.reminders) and one Update{Event} per local event whose counts changed
(fedi.events.events.send_pending_updates), with an injectable clock for tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from fedi.context import Context
from fedi.core.rounds import repeat
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
        await repeat(
            stop, lambda: tick(self.context, self.clock()), name="events loop",
            interval=interval, full=BATCH,
        )  # fmt: skip
