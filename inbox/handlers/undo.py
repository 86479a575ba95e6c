"""Undo of a Follow, Like, Announce or Block. The undoing actor must be the one who did it."""

from __future__ import annotations

from fedi.activitypub.parse import InvalidActivity, types_of, uri_of
from fedi.context import Context
from fedi.db import follows, interactions, statuses
from fedi.federation.remote_posts import status_by_uri
from inbox.handlers.announced import undo_shared_form
from inbox.handlers.common import Incoming, find_follow, local_account


async def handle_undo(context: Context, incoming: Incoming) -> None:
    obj = incoming.object
    kinds = types_of(obj) if isinstance(obj, dict) else set()
    undone_uri = incoming.object_uri
    actor = incoming.actor
    if "Follow" in kinds or not kinds:
        follow = await find_follow(context, incoming)
        if follow is not None:
            if follow[1] != actor.id:
                raise InvalidActivity("only the follower can undo a follow")
            await context.db.write(lambda conn: follows.delete_follow(conn, follow[1], follow[2]))
            return
    if "Like" in kinds or not kinds:
        async with context.db.read() as conn:
            like = await interactions.favourite_by_uri(conn, undone_uri)
        if like is not None:
            if like[0] != actor.id:
                raise InvalidActivity("only the one who liked can undo a like")
            await context.db.write(lambda conn: interactions.remove_favourite(conn, *like))
            return
    if "Announce" in kinds or not kinds:
        reblog = await status_by_uri(context, undone_uri)
        if reblog is not None and reblog.reblog_of_id is not None:
            if reblog.account_id != actor.id:
                raise InvalidActivity("only the booster can undo a boost")
            await context.db.write(lambda conn: statuses.delete_reblog(conn, reblog.id))
            return
        if await undo_shared_form(context, incoming):
            return
    if "Block" in kinds and isinstance(obj, dict):
        target_uri = uri_of(obj.get("object"))
        target = await local_account(context, target_uri) if target_uri else None
        if target is not None:
            await context.db.write(
                lambda conn: interactions.remove_block(conn, actor.id, target.id)
            )
