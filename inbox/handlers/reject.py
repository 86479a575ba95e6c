"""Reject{Follow}: a remote account refused a local member's follow, or ended an existing one
(Mastodon treats both the same way). Reject{Join}: an event's organisers declined a member's
registration (fedi.events.registrations)."""

from __future__ import annotations

from fedi.activitypub.parse import InvalidActivity
from fedi.context import Context
from fedi.db import follows
from fedi.events.registrations import receive_answer
from inbox.handlers.common import Incoming, find_follow


async def handle_reject(context: Context, incoming: Incoming) -> None:
    follow = await find_follow(context, incoming)
    if follow is None:
        await receive_answer(context, incoming.activity, incoming.actor, "Reject")
        return
    _, follower_id, followed_id, _ = follow
    if followed_id != incoming.actor.id:
        raise InvalidActivity("only the followed account can reject a follow")
    await context.db.write(lambda conn: follows.delete_follow(conn, follower_id, followed_id))
