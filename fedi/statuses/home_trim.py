"""Members' home feeds kept to their newest rows, as Mastodon keeps 800 per feed: every hour,
each member whose feed holds more than KEEP rows loses the older ones, the feed's floor rising
above them (fedi.db.home_feed.trimmed); pages that far down read the statuses themselves."""

from __future__ import annotations

import asyncio

from fedi.context import Context
from fedi.core.rounds import repeat
from fedi.db import home_feed
from fedi.db.connection import Connection

KEEP = 1000  # rows kept per member: fifty pages of a home timeline
MEMBERS_PER_WRITE = 50
EVERY = 3600.0  # seconds between rounds


async def trim_round(context: Context, keep: int | None = None) -> int:
    """Trim every member's feed past `keep` rows (KEEP when None), a few members per write;
    returns how many rows went."""
    keep = KEEP if keep is None else keep
    removed, after = 0, 0
    while True:
        async with context.db.read() as conn:
            members = await home_feed.members_above(conn, keep, after, MEMBERS_PER_WRITE)
        if not members:
            return removed

        def trim(conn: Connection, members: list[int] = members) -> int:
            return sum(home_feed.trimmed(conn, member, keep) for member in members)

        removed += await context.db.write(trim)
        after = members[-1]


async def run(context: Context, stop: asyncio.Event, every: float = EVERY) -> None:
    await repeat(stop, lambda: trim_round(context), name="home feed trimming", interval=every)
