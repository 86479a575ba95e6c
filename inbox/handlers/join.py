"""Join{Event}: someone elsewhere registers to one of our events (Mobilizon's participation,
events.md §2); fedi.events.registrations decides and answers."""

from __future__ import annotations

from fedi.context import Context
from fedi.events.registrations import receive_join
from inbox.handlers.common import Incoming


async def handle_join(context: Context, incoming: Incoming) -> None:
    await receive_join(context, incoming.activity, incoming.actor)
