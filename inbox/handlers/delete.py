"""Delete of a post (it becomes a tombstone) or of the actor itself (its content goes). Only the
author can delete a post (Mastodon delete.rb), or a moderator of the local public group it is in
(FEP-1b12)."""

from __future__ import annotations

from fedi.activitypub.parse import InvalidActivity, host_of
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, statuses
from fedi.db.connection import Connection
from fedi.events.remote import receive_event_delete
from fedi.federation.remote_posts import status_by_uri
from fedi.groups.announcements import remove_by_moderator
from fedi.groups.relay import relay_post_delete
from fedi.groups.submissions import receive_delete
from fedi.library.remote import receive_removal
from inbox.handlers.common import Incoming


async def handle_delete(context: Context, incoming: Incoming) -> None:
    target = incoming.object_uri
    actor = incoming.actor
    now = to_db(utcnow())
    if target == actor.uri:
        await context.db.write(lambda conn: accounts.delete_account(conn, actor.id))
        context.key_owners.forget(actor.uri)
        return
    if await remove_by_moderator(context, incoming.activity, actor):
        return
    if host_of(target) != host_of(actor.uri):
        raise InvalidActivity("an actor can only delete its own objects")
    if await receive_event_delete(context, target, actor):
        return
    if await receive_removal(context, target, actor):
        return  # a document of a remote space's library
    status = await status_by_uri(context, target)
    if status is None and await receive_delete(context, target, actor):
        return  # a submission a private group here had copied: the copy went with it
    if status is None:
        # Remember the id anyway, so a late copy of the post is not stored after its deletion.
        await context.db.write(lambda conn: statuses.tombstone_only(conn, target, actor.id, now))
        return
    if status.account_id != actor.id:
        raise InvalidActivity("only the author can delete a post")
    await relay_post_delete(context, status, incoming.activity)

    def write(conn: Connection) -> None:
        if status.reblog_of_id is not None:
            statuses.delete_reblog(conn, status.id)
        else:
            statuses.delete_status(conn, status, now)

    await context.db.write(write)
