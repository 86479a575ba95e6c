"""Follow of a local group from another server: a request to join it, answered by the rules of
fedi.groups.membership. Accepted → Accept{Follow}; pending → no answer until a moderator
approves; refused → Reject{Follow} (and any old follow row goes), except for a local-only group,
which answers as an account that does not exist would: nothing at all."""

from __future__ import annotations

import logging

from fedi.activitypub.parse import InvalidActivity
from fedi.context import Context
from fedi.core.models import Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.groups.membership import follow_reply, judge_join, log_join
from inbox.handlers.common import Incoming

log = logging.getLogger(__name__)
NOT_HERE = "the follow is not for an account here"


async def handle_group_follow(context: Context, incoming: Incoming, group: Group) -> None:
    follower = incoming.actor
    join = await judge_join(context, group, follower)
    now = to_db(utcnow())
    log.info("Follow %s of group %s by %s: %s", incoming.id, group.account.uri, follower.uri,
             join.action or join.state)  # fmt: skip
    if join.action == "refused_local_only":
        # Its actor and key are not served to other servers, so a Reject signed by it could not
        # even be verified; and any answer would tell that the group exists.
        await context.db.write(lambda conn: log_join(conn, group, follower, join, now))
        raise InvalidActivity(NOT_HERE)
    reply = follow_reply(
        "Reject" if join.state == "refused" else "Accept", group, follower, incoming.activity
    )

    def write(conn: Connection) -> None:
        log_join(conn, group, follower, join, now)
        if join.state == "refused":
            follows.delete_follow(conn, follower.id, group.id)
        else:
            follows.upsert_follow(
                conn, follower_id=follower.id, followed_id=group.id, uri=incoming.id,
                state=join.state, now=now,
            )  # fmt: skip
        if join.state != "pending":
            enqueue(conn, group.id, reply, Audience.personal(follower), now)

    await context.db.write(write)
    context.wake.outbox.set()
