"""Nudges for the workers, so that new work does not wait for their next poll: in a process, an
event per queue that its worker waits on; across processes on PostgreSQL (workers = "separate"),
a NOTIFY on fedi_wake naming the queue (fedi.db.notify), sent once the work has committed and
heard by the worker processes, which set their own event."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from fedi.db import Database, DatabaseError, notify
from fedi.db.errors import DATABASE_ERRORS

log = logging.getLogger(__name__)

_FAILED: tuple[type[Exception], ...] = (DatabaseError, *DATABASE_ERRORS)


class QueueEvent(asyncio.Event):
    """A queue's event: set() wakes this process's worker, and the other processes' once the
    instance shares its wakes (Wake.share)."""

    def __init__(self, queue: str) -> None:
        super().__init__()
        self.queue = queue
        self.tell: Callable[[str], None] | None = None

    def set(self) -> None:
        super().set()
        if self.tell is not None:
            self.tell(self.queue)

    def set_here(self) -> None:
        """Wake this process's worker only (another process told us)."""
        super().set()


@dataclass
class Wake:
    inbox: QueueEvent = field(default_factory=lambda: QueueEvent("inbox"))
    outbox: QueueEvent = field(default_factory=lambda: QueueEvent("outbox"))
    mail: QueueEvent = field(default_factory=lambda: QueueEvent("mail"))
    _teller: _Teller | None = field(default=None, init=False, repr=False)

    @property
    def events(self) -> tuple[QueueEvent, ...]:
        return (self.inbox, self.outbox, self.mail)

    def share(self, db: Database) -> None:
        """Tell the other processes of new work from now on (PostgreSQL only: on SQLite they
        poll)."""
        if not db.is_postgresql:
            return
        self._teller = _Teller(db)
        for event in self.events:
            event.tell = self._teller.tell

    async def listen(self, db: Database) -> None:
        """Hear the other processes' wakes until cancelled (PostgreSQL only)."""
        if db.url is None:
            return
        await notify.listen(db.url, [notify.WAKE], self._heard, self._heard_all)

    def _heard(self, channel: str, queue: str) -> None:
        for event in self.events:
            if event.queue == queue:
                event.set_here()

    def _heard_all(self) -> None:
        # (Re)connected: whatever was announced while the connection was down is looked for now.
        for event in self.events:
            event.set_here()

    async def stop(self) -> None:
        """Send what is still to be told (before the database closes)."""
        if self._teller is not None:
            await self._teller.flush()


class _Teller:
    """Sends the NOTIFYs: the queues woken during one turn of the event loop in one write."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: set[str] = set()
        self._sending: asyncio.Task[None] | None = None

    def tell(self, queue: str) -> None:
        self._pending.add(queue)
        if self._sending is None:
            self._sending = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        try:
            while self._pending:
                queues, self._pending = sorted(self._pending), set()
                await self._db.write(partial(notify.wake, queues=queues))
        except _FAILED as exc:  # the workers' polls find the work
            log.warning("the worker processes could not be woken: %s", exc)
        finally:
            self._sending = None

    async def flush(self) -> None:
        sending = self._sending
        if sending is not None:
            await asyncio.gather(sending, return_exceptions=True)
