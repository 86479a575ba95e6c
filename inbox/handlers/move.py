"""Move: an account moved to another. Local followers follow the new account, but only when the
new account lists the old one in alsoKnownAs (Mastodon's check, against hijacked follows)."""

from __future__ import annotations

import logging

from fedi.accounts.members import MemberError
from fedi.activitypub.parse import InvalidActivity, uri_of
from fedi.context import Context
from fedi.db import accounts, follows
from fedi.federation.refused_sources import refused_author
from fedi.federation.remote_accounts import get_actor
from fedi.relationships.relationships import follow, unfollow
from inbox.handlers.common import Incoming

log = logging.getLogger(__name__)


async def handle_move(context: Context, incoming: Incoming) -> None:
    old = incoming.actor
    if incoming.object_uri != old.uri:
        raise InvalidActivity("an account can only move itself")
    target_uri = uri_of(incoming.activity.get("target"))
    if target_uri is None:
        raise InvalidActivity("the Move has no target")
    if await refused_author(context, target_uri):
        log.info("ignored Move of %s to %s: a refused or suspended account", old.uri, target_uri)
        return  # followers are never moved to a blocked domain or a suspended account
    new = await get_actor(context, target_uri, refresh=True)
    if old.uri not in new.also_known_as:
        raise InvalidActivity("the new account does not claim the old one (alsoKnownAs)")
    await context.db.write(lambda conn: accounts.set_moved_to(conn, old.id, new.id))
    async with context.db.read() as conn:
        local_followers = await follows.local_followers_of(conn, old.id)
        members = [await accounts.get_by_id(conn, i) for i in local_followers]
    for member in members:
        if member is None:
            continue
        try:
            await follow(context, member.username, new)
            await unfollow(context, member.username, old)
        except MemberError as exc:
            log.info("%s could not follow %s after a move: %s", member.username, new.uri, exc)
