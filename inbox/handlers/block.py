"""Block: a remote account blocks a local member; follows between them end both ways."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import interactions
from inbox.handlers.common import Incoming, local_account


async def handle_block(context: Context, incoming: Incoming) -> None:
    target = await local_account(context, incoming.object_uri)
    if target is None:
        return
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: interactions.add_block(conn, incoming.actor.id, target.id, incoming.id, now)
    )
