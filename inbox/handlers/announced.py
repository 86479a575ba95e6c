"""Activities a group announces to its followers (FEP-1b12, as Lemmy's communities do), here on a
member's server: edits and removals of the group's posts. Nothing embedded is believed: an edit
is fetched again from the post's origin, and a removal applies only to what the announcing group
has a say over (a post whose audience it is loses its copy here; a post it merely shared loses
the group's boost; our own members' posts stay theirs). Likes, votes and other activities a
group relays are not acted on."""

from __future__ import annotations

import logging
from typing import Any

from fedi.activitypub.parse import InvalidActivity, host_of, types_of, uri_of
from fedi.activitypub.remote_note import POST_TYPES, note_from_ap
from fedi.context import Context
from fedi.core.models import Account, Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import group_posts, statuses
from fedi.db.connection import Connection
from fedi.federation.dereference import DereferenceError, fetch_document
from fedi.federation.remote_accounts import ActorError, get_actor
from fedi.federation.remote_posts import status_by_uri
from inbox.handlers.common import Incoming
from inbox.handlers.update import handle_update

log = logging.getLogger(__name__)


async def handle_announced(context: Context, incoming: Incoming) -> bool:
    """Handles an Announce whose object is an activity other than a Create; False for a boost
    of a post or of a Create, which the announce handler takes."""
    obj = incoming.object
    if not isinstance(obj, dict):
        return False
    kinds = types_of(obj)
    if "Create" in kinds or kinds & set(POST_TYPES) or not kinds:
        return False
    if incoming.actor.actor_type != "Group":
        return True  # only a group speaks for its posts
    if "Delete" in kinds:
        await _removal(context, incoming.actor, uri_of(obj.get("object")))
    elif "Update" in kinds:
        await _edit(context, incoming.actor, obj)
    return True


async def _say_of(context: Context, group: Account, uri: str | None) -> tuple[Status, bool] | None:
    """The post and whether it is the group's own (its audience), when the group has a say."""
    post = await status_by_uri(context, uri) if uri else None
    if post is None or post.reblog_of_id is not None:
        return None
    if post.group_id == group.id:
        return post, True
    async with context.db.read() as conn:
        shared = await statuses.get_reblog(conn, group.id, post.id)
    return (post, False) if shared is not None else None


async def _removal(context: Context, group: Account, uri: str | None) -> None:
    found = await _say_of(context, group, uri)
    if found is None:
        return
    post, is_groups = found
    async with context.db.read() as conn:
        boost = await statuses.get_reblog(conn, group.id, post.id)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if boost is not None:
            statuses.delete_reblog(conn, boost.id)
        if is_groups and post.is_local:
            group_posts.unmark(conn, post.id, group.id)
        elif is_groups:
            statuses.delete_status(conn, post, now)

    await context.db.write(write)
    log.info("group %s removed %s", group.uri, post.uri)


async def _edit(context: Context, group: Account, update: dict[str, Any]) -> None:
    found = await _say_of(context, group, uri_of(update.get("object")))
    if found is None or found[0].is_local:
        return  # our own posts are edited here, not by what others say of them
    post = found[0]
    try:
        document = await fetch_document(context, post.uri)
        note = note_from_ap(document)
        if note.uri != post.uri or host_of(note.author_uri) != host_of(note.uri):
            return
        author = await get_actor(context, note.author_uri)
    except (DereferenceError, InvalidActivity, ActorError) as exc:
        log.info("could not fetch %s again: %s", post.uri, exc)
        return
    unchanged = (post.content, post.spoiler_text, post.title)
    if (note.content, note.spoiler_text, note.title) == unchanged:
        return  # the author's own Update got here first
    edit = {"id": update.get("id") or post.uri, "type": "Update", "actor": author.uri}
    edit["object"] = document
    await handle_update(context, Incoming(edit, author, None))


async def undo_shared_form(context: Context, incoming: Incoming) -> bool:
    """Undo{Announce} naming the other of a group's two Announces of one post (Announce{Create}
    and Announce{post}, of which we keep one boost): the group's boost of that post goes."""
    announced = incoming.object
    if not isinstance(announced, dict) or uri_of(announced.get("actor")) != incoming.actor.uri:
        return False
    inner = announced.get("object")
    if isinstance(inner, dict) and "Create" in types_of(inner):
        inner = inner.get("object")
    post = await status_by_uri(context, uri_of(inner) or "")
    if post is None:
        return False
    async with context.db.read() as conn:
        boost = await statuses.get_reblog(conn, incoming.actor.id, post.id)
    if boost is None:
        return False
    await context.db.write(lambda conn: statuses.delete_reblog(conn, boost.id))
    return True
