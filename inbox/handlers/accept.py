"""Accept{Follow}: a remote account accepted a local member's follow request (Accept{Join}, an
event's organisers accepting a member's registration, goes to fedi.events.registrations). Only
the followed account can accept, and only a follow that was really asked for; a follow of one
of OUR accounts (a join request to a local group, say) is approved here and never by another
server, whoever signs (security.md V12, Lemmy #6562)."""

from __future__ import annotations

from fedi.activitypub.parse import InvalidActivity
from fedi.context import Context
from fedi.db import accounts, follows
from fedi.events.registrations import receive_answer
from inbox.handlers.common import Incoming, find_follow


async def handle_accept(context: Context, incoming: Incoming) -> None:
    follow = await find_follow(context, incoming)
    if follow is None:
        # Else the organisers' answer to a member's registration to an event (Accept{Join}).
        await receive_answer(context, incoming.activity, incoming.actor, "Accept")
        return
    _, follower_id, followed_id, _ = follow
    async with context.db.read() as conn:
        followed = await accounts.get_by_id(conn, followed_id)
    if followed is None or followed.is_local:
        raise InvalidActivity("a follow of an account here is not accepted by another server")
    if followed_id != incoming.actor.id:
        raise InvalidActivity("only the followed account can accept a follow")
    await context.db.write(
        lambda conn: follows.set_state(conn, follower_id, followed_id, "accepted")
    )
