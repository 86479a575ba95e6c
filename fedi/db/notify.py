"""PostgreSQL's LISTEN/NOTIFY between an instance's processes: a process that shares stream
changes or queues work says so on a channel (NOTIFY is delivered when its transaction commits),
and the others, listening on a connection of their own, read at once instead of at their next
poll. A notification is only a nudge: what it announces is in the tables, and a process that
missed one (its listening connection was down) finds the rows at its next poll all the same."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

import psycopg
from psycopg import sql

from fedi.db.connection import Connection

log = logging.getLogger(__name__)

STREAMS = "fedi_streams"  # payload: the process that shared (fedi.streams.hub)
WAKE = "fedi_wake"  # payload: the queue that has new work (fedi.db.wake)
CHECK_SECONDS = 30.0  # a connection that heard nothing this long is checked with a query
RETRY_SECONDS = 1.0  # a lost connection is made again after this


def notify(conn: Connection, channel: str, payload: str = "") -> None:
    """Announce on `channel`, in the writer's transaction: heard once it commits (notifications
    of one transaction with the same payload are heard once)."""
    conn.execute("SELECT pg_notify(?, ?)", (channel, payload))


def wake(conn: Connection, queues: Iterable[str]) -> None:
    """Tell the worker processes that these queues have new work."""
    for queue in queues:
        notify(conn, WAKE, queue)


async def listen(
    url: str,
    channels: Iterable[str],
    heard: Callable[[str, str], None],
    connected: Callable[[], None],
) -> None:
    """Listen on `channels` until cancelled: heard(channel, payload) for each notification, on
    a connection of its own (autocommit, as LISTEN must be); connected() each time it is made,
    since what was announced while it was down is lost: the caller reads then. A lost
    connection is made again after RETRY_SECONDS."""
    names = list(channels)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                for name in names:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(name)))
                connected()
                while True:
                    async for notification in conn.notifies(timeout=CHECK_SECONDS):
                        heard(notification.channel, notification.payload)
                    await conn.execute("SELECT 1")  # raises if the connection is gone
        except psycopg.Error as exc:
            log.warning("listening on %s failed (%s): again in %.0f s",
                        ", ".join(names), exc, RETRY_SECONDS)  # fmt: skip
        await asyncio.sleep(RETRY_SECONDS)
