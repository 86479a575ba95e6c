"""Announce: a boost. A boosted post is fetched from its origin, never trusted as embedded, and
only public or unlisted posts can be boosted (Mastodon announceable?, security.md V5). A boost
of a post from a refused domain or by a suspended author is dropped unfetched (security.md M4,
M7). An account boosts a post once: a group's Announce{Create} and Announce{post} of it make one
boost. Other activities a group announces are handled in inbox.handlers.announced."""

from __future__ import annotations

import logging

from fedi.activitypub.parse import types_of, uri_of
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import NewStatus
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, interactions, statuses
from fedi.db.connection import Connection
from fedi.events.remote import receive_announced_event
from fedi.federation.refused_sources import refused_object
from fedi.federation.remote_posts import fetch_status, is_ours, status_by_uri
from inbox.handlers.announced import handle_announced
from inbox.handlers.common import Incoming

log = logging.getLogger(__name__)


async def handle_announce(context: Context, incoming: Incoming) -> None:
    actor = incoming.actor
    if await status_by_uri(context, incoming.id) is not None:
        return  # this boost is already here
    if await receive_announced_event(context, incoming.activity, actor):
        return  # a space sharing its event: an event, not a boost
    if await handle_announced(context, incoming):
        return
    original_uri = incoming.object_uri
    obj = incoming.object
    refused = await refused_object(context, obj)
    if refused is not None:
        log.info("dropped Announce %s by %s: %s", incoming.id, actor.uri, refused)
        return
    if isinstance(obj, dict) and "Create" in types_of(obj):
        # A group relaying a member's activity (FEP-1b12, Lemmy): the boosted post is the
        # activity's object, fetched from its own origin like any other.
        inner = uri_of(obj.get("object"))
        if inner is None:
            return
        original_uri = inner
    local_post = is_ours(context, original_uri)
    if not local_post:
        async with context.db.read() as conn:
            if not await follows.has_local_follower(conn, actor.id):
                return  # nobody here follows the booster
    original = await fetch_status(context, original_uri)
    if original is None or original.reblog_of_id is not None:
        return
    async with context.db.read() as conn:
        author = await accounts.get_by_id(conn, original.account_id)
    if author is None or author.is_suspended:
        return  # an old post of a suspended account is not brought back by a boost (M7)
    if original.visibility not in ("public", "unlisted") or original.is_local_only:
        return  # private and local-only posts are never redistributed
    async with context.db.read() as conn:
        if await statuses.get_reblog(conn, actor.id, original.id) is not None:
            return  # boosted already, under the Announce's other form
    now = to_db(utcnow())
    reblog = NewStatus(
        id=new_id(), uri=incoming.id, url=original.url, account_id=actor.id,
        visibility="public", content="", spoiler_text="", is_sensitive=False, language=None,
        is_local=False, created_at=now, reblog_of_id=original.id,
    )  # fmt: skip

    def write(conn: Connection) -> None:
        statuses.insert_status(conn, reblog)
        interactions.notify(conn, [original.account_id], "reblog", actor.id, original.id, now)

    await context.db.write(write)
