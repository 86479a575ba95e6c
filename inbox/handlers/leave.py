"""Leave{Event}: someone elsewhere cancels their registration to one of our events (Mobilizon
sends Leave, never Undo{Join}); the first on the waiting list takes the place."""

from __future__ import annotations

from fedi.context import Context
from fedi.events.registrations import receive_leave
from inbox.handlers.common import Incoming


async def handle_leave(context: Context, incoming: Incoming) -> None:
    await receive_leave(context, incoming.activity, incoming.actor)
