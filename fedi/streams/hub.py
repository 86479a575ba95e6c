"""The live streams' hub: one per instance, on the Context. It is woken by the database after each
committed write batch with what changed (fedi.db.changes), never by polling, and hands each change
to the listeners (one per streaming connection) that may care. Deciding what a member may see and
rendering it happen in the connection's own task (fedi.api.streaming)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from fedi.db import Database, changes
from fedi.db.changes import Change
from fedi.db.connection import Connection

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0  # Mastodon's streaming server beats every 15 s
BACKLOG = 1000  # a client this far behind is disconnected; it reconnects and catches up by REST

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

    async def listen(self, db: Database, account_id: int, token_id: int) -> Listener:
        """A new listener; leave() it when its connection ends."""
        await self._watch(db)
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

    @property
    def listening(self) -> int:
        return len(self._listeners)

    async def _watch(self, db: Database) -> None:
        """Install the change log on the writer and subscribe to committed batches, once."""
        async with self._lock:
            if self._watching:
                return
            await db.write(changes.install)
            db.add_commit_hook(self._commit_hook(asyncio.get_running_loop()))
            self._watching = True

    def _commit_hook(
        self, loop: asyncio.AbstractEventLoop
    ) -> Callable[[Connection], Callable[[], None] | None]:
        def hook(conn: Connection) -> Callable[[], None] | None:
            found = changes.drain(conn)  # in the writer thread, inside the batch's transaction
            if not found:
                return None

            def wake() -> None:
                loop.call_soon_threadsafe(self._publish, found)

            return wake

        return hook

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
