"""Like (and Misskey's EmojiReact): a remote account favourites a local post."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, interactions, statuses
from fedi.db.connection import Connection
from fedi.federation.remote_posts import is_ours, status_by_uri
from fedi.groups.access import may_see_group_post
from inbox.handlers.common import Incoming


async def can_see(context: Context, status: Status, account_id: int) -> bool:
    """Whether an account may see a post: it is public or unlisted, the account is mentioned,
    or it follows the author of a followers-only post; a private group's post, only a member.
    A local-only post is seen by no remote account."""
    if status.is_local_only:
        return False
    async with context.db.read() as conn:
        account = await accounts.get_by_id(conn, account_id)
    in_group = await may_see_group_post(context, status, account)
    if in_group is not None:
        return in_group
    if status.visibility in ("public", "unlisted"):
        return True
    async with context.db.read() as conn:
        if account_id in await statuses.mentioned_account_ids(conn, status.id):
            return True
        follow = await follows.get_follow(conn, account_id, status.account_id)
    return status.visibility == "private" and follow is not None and follow[2] == "accepted"


async def handle_like(context: Context, incoming: Incoming) -> None:
    if not is_ours(context, incoming.object_uri):
        return  # likes of other servers' posts are theirs to count
    status = await status_by_uri(context, incoming.object_uri)
    if status is None or status.reblog_of_id is not None:
        return
    actor = incoming.actor
    if not await can_see(context, status, actor.id):
        return  # a like of a post the actor cannot see counts for nothing (security.md V7)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if interactions.add_favourite(conn, actor.id, status.id, incoming.id, now):
            interactions.notify(conn, [status.account_id], "favourite", actor.id, status.id, now)

    await context.db.write(write)
