"""Follow: someone elsewhere follows a local member. Accepted at once, or left pending for a
locked account until the member answers; a blocked follower is rejected. A Follow of a local
group is a request to join it (inbox/handlers/group_follow.py)."""

from __future__ import annotations

import hashlib

from fedi.activitypub.notes import wrap
from fedi.activitypub.parse import InvalidActivity
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows, interactions
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.groups.groups import group_of
from inbox.handlers.common import Incoming, local_account
from inbox.handlers.group_follow import NOT_HERE, handle_group_follow


def reply_key(follow_uri: str) -> str:
    """The same for a Follow in every process and run (Python's hash() of a string is not), so
    that the reply sent again after a worker died has the same id and is dropped as a repeat."""
    return hashlib.sha256(follow_uri.encode()).hexdigest()[:16]


async def handle_follow(context: Context, incoming: Incoming) -> None:
    followed = await local_account(context, incoming.object_uri)
    if followed is None or followed.actor_type == "Application" or followed.is_suspended:
        raise InvalidActivity(NOT_HERE)
    group = await group_of(context, followed)
    if group is not None:
        await handle_group_follow(context, incoming, group)
        return
    follower = incoming.actor
    async with context.db.read() as conn:
        blocked = await interactions.is_blocked(conn, followed.id, follower.id)
        existing = await follows.get_follow(conn, follower.id, followed.id)
    accept = not blocked and (not followed.is_locked or (existing and existing[2] == "accepted"))
    state = "accepted" if accept else "pending"
    now = to_db(utcnow())
    follow = {k: v for k, v in incoming.activity.items() if k != "@context"}
    reply_kind = "Reject" if blocked else "Accept"
    reply = wrap(
        reply_kind, f"{followed.uri}#{reply_kind.lower()}s/follows/{reply_key(incoming.id)}",
        followed, follow, [follower.uri], [],
    )  # fmt: skip

    def write(conn: Connection) -> None:
        if blocked:
            enqueue(conn, followed.id, reply, Audience.personal(follower), now)
            return
        follows.upsert_follow(
            conn, follower_id=follower.id, followed_id=followed.id, uri=incoming.id,
            state=state, now=now,
        )  # fmt: skip
        if existing is None or existing[2] != state:
            kind = "follow" if accept else "follow_request"
            interactions.notify(conn, [followed.id], kind, follower.id, None, now)
        if accept:
            enqueue(conn, followed.id, reply, Audience.personal(follower), now)

    await context.db.write(write)
    context.wake.outbox.set()
