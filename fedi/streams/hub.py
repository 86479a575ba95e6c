"""The live streams' hub: one per instance, on the Context. It is woken by the database after each
committed write batch with what changed (fedi.db.changes), never by polling, and hands each change
to the listeners (one per streaming connection) that may care. Deciding what a member may see and
rendering it happen in the connection's own task (fedi.api.streaming).

When the instance runs several processes (share()), what one process writes must reach the
streams open on the others: every process logs its changes from the start, copies them into the
shared table in the same transaction as the writes, and a process with open streams reads the
other processes' rows every TAIL_SECONDS on SQLite; on PostgreSQL as soon as a NOTIFY on
fedi_streams says that some committed (fedi.db.notify), and every FALLBACK_SECONDS should one be
missed. Its own changes still reach its streams at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta

from fedi.core.timeutil import to_db, utcnow
from fedi.db import Database, changes, notify
from fedi.db.changes import Change
from fedi.db.connection import Connection

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0  # Mastodon's streaming server beats every 15 s
BACKLOG = 1000  # a client this far behind is disconnected; it reconnects and catches up by REST
TAIL_SECONDS = 0.25  # how often a process reads the changes other processes shared (SQLite)
FALLBACK_SECONDS = 3.0  # PostgreSQL: read when notified, and this often whatever happens
TAIL_BATCH = 1000
LOOK_BACK = 128  # sequence numbers read again below the newest seen (_read_shared)
KEPT = timedelta(minutes=10)  # shared changes older than this are pruned
PRUNE_EVERY = 200  # commits with changes between two prunings

# What a connection's queue carries: a change to consider, a text frame of its own (a WebSocket
# reply), or None once the listener is closed.
Item = Change | str | None


class Listener:
    """One streaming connection of a member, through one token."""

    def __init__(self, account_id: int, token_id: int) -> None:
        self.account_id = account_id
        self.token_id = token_id
        self.closed = False
        self._queue: asyncio.Queue[Item] = asyncio.Queue()

    def push(self, item: Change | str) -> None:
        if self.closed:
            return
        if self._queue.qsize() >= BACKLOG:
            log.info("closing the stream of account %d: %d events behind", self.account_id, BACKLOG)
            self.close()
            return
        self._queue.put_nowait(item)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._queue.put_nowait(None)

    async def next(self) -> Item:
        """The next item, or None once closed (what is still queued is dropped then)."""
        if self.closed:
            return None
        item = await self._queue.get()
        return None if self.closed else item


class Streams:
    def __init__(self) -> None:
        self.heartbeat = HEARTBEAT_SECONDS  # tests shorten it
        self._listeners: set[Listener] = set()
        self._watching = False
        self._lock = asyncio.Lock()
        self._origin = secrets.token_hex(8)  # this process, in the shared table
        self._shared = False
        self._since_pruned = 0
        self._tail: asyncio.Task[None] | None = None
        self._hearing: asyncio.Task[None] | None = None
        self._poke = asyncio.Event()  # set when another process's changes committed
        self.poll: float | None = None  # seconds between reads (None: by database); tests set it

    async def share(self, db: Database) -> None:
        """Streams across processes (see the module's docstring): called once, at start-up."""
        self._shared = True
        await self._watch(db)

    async def listen(self, db: Database, account_id: int, token_id: int) -> Listener:
        """A new listener; leave() it when its connection ends."""
        await self._watch(db)
        if self._shared and self._tail is None:
            await self._start_tail(db)
        listener = Listener(account_id, token_id)
        self._listeners.add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        listener.close()
        self._listeners.discard(listener)

    def close_all(self) -> None:
        """End every stream (the server is stopping: open responses must not hold it up)."""
        for listener in list(self._listeners):
            self.leave(listener)

    async def stop(self) -> None:
        """End every stream and stop reading the other processes' changes."""
        self.close_all()
        tasks = [task for task in (self._tail, self._hearing) if task is not None]
        self._tail = self._hearing = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _heard(self, channel: str, origin: str) -> None:
        if origin != self._origin:
            self._poke.set()

    async def _start_tail(self, db: Database) -> None:
        """Start reading the other processes' changes, from what has committed by now: read
        before the first stream is handed out, so that a change another process commits once
        it is open (a suspension, say) is never taken for one that came before it."""
        async with self._lock:
            if self._tail is not None:
                return
            async with db.read() as conn:
                newest = await changes.last_shared(conn)
                # What had committed before is not for the streams opened now.
                before = await changes.shared_after(conn, newest - LOOK_BACK, TAIL_BATCH)
            handed = OrderedDict((seq, None) for seq, _, _ in before if seq <= newest)
            self._tail = asyncio.create_task(
                self._read_shared(db, newest, handed), name="shared-streams"
            )
            if db.url is not None:
                hearing = notify.listen(db.url, [notify.STREAMS], self._heard, self._poke.set)
                self._hearing = asyncio.create_task(hearing, name="shared-streams-notified")

    async def _read_shared(self, db: Database, newest: int, handed: OrderedDict[int, None]) -> None:
        """The changes other processes shared after `newest` (`handed`: those seen already),
        when poked (PostgreSQL's NOTIFY) or every poll at the latest. Each read looks LOOK_BACK
        sequence numbers further back than the newest seen: where transactions commit in
        another order than they took their numbers (PostgreSQL), a row may appear below one
        seen already; what was handed out is remembered and never handed out twice."""
        every = self.poll or (FALLBACK_SECONDS if db.is_postgresql else TAIL_SECONDS)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), timeout=every)
            self._poke.clear()  # what commits from now on pokes again
            try:
                async with db.read() as conn:
                    rows = await changes.shared_after(conn, newest - LOOK_BACK, TAIL_BATCH)
            except Exception:  # a read that failed is tried again at the next turn
                log.exception("reading the changes shared by other processes failed")
                continue
            found = []
            for seq, origin, change in rows:
                if seq in handed:
                    continue
                handed[seq] = None
                newest = max(newest, seq)
                if origin != self._origin:
                    found.append(change)
            while len(handed) > 4 * LOOK_BACK:
                handed.popitem(last=False)
            if found:
                self._publish(found)

    @property
    def listening(self) -> int:
        return len(self._listeners)

    async def _watch(self, db: Database) -> None:
        """Install the change log on the writer and subscribe to committed batches, once."""
        async with self._lock:
            if self._watching:
                return
            await db.set_up_writer(changes.install)
            db.add_commit_hook(self._commit_hook(asyncio.get_running_loop()))
            self._watching = True

    def _commit_hook(
        self, loop: asyncio.AbstractEventLoop
    ) -> Callable[[Connection], Callable[[], None] | None]:
        def hook(conn: Connection) -> Callable[[], None] | None:
            found = changes.drain(conn)  # in the writer thread, inside the batch's transaction
            if not found:
                return None
            if self._shared:
                self._share(conn, found)

            def wake() -> None:
                loop.call_soon_threadsafe(self._publish, found)

            return wake

        return hook

    def _share(self, conn: Connection, found: list[Change]) -> None:
        now = utcnow()
        changes.share(conn, self._origin, found, to_db(now))
        self._since_pruned += 1
        if self._since_pruned >= PRUNE_EVERY:
            self._since_pruned = 0
            changes.prune_shared(conn, to_db(now - KEPT))

    def _publish(self, found: list[Change]) -> None:
        for change in found:
            for listener in list(self._listeners):
                if listener.closed:
                    self._listeners.discard(listener)
                elif change.kind == "suspend":
                    if listener.account_id == change.ref:
                        self.leave(listener)
                elif change.kind == "revoke":
                    if listener.token_id == change.ref:
                        self.leave(listener)
                elif change.kind == "notification":
                    if change.detail and listener.account_id == change.detail.get("account_id"):
                        listener.push(change)
                else:
                    listener.push(change)
