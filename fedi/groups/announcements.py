"""Moderation a group announces (FEP-1b12): what its moderators do (removing a post, banning a
member, adding or removing a moderator, Update{Group}) reaches the group's followers as an
Announce by the group. A removed post leaves the group here and elsewhere; a removal by a remote
moderator arrives as a Delete naming the group and is checked against the moderators list."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any, overload

from fedi.activitypub.group_activities import announce, removal, without_context
from fedi.activitypub.notes import wrap
from fedi.activitypub.parse import InvalidActivity, addresses, text, uri_of, uris
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account, Group
from fedi.core.timeutil import from_db, to_ap, to_db, utcnow
from fedi.db import accounts, group_posts, statuses
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_posts import status_by_uri
from fedi.groups.groups import GroupError
from fedi.groups.relay import (
    activity_announce_id,
    public_group_among,
    removal_announcements,
)

log = logging.getLogger(__name__)
MAX_REASON = 500


def _announcement(group: Group, activity: dict[str, Any], now: str) -> dict[str, Any]:
    published = to_ap(from_db(now))
    if not group.is_private:
        return announce(group.account, activity_announce_id(group), activity, published)
    # A private group's moderation is for its members only: never to Public.
    return wrap(
        "Announce", activity_announce_id(group), group.account, without_context(activity),
        [group.account.followers_uri or ""], [], published,
    )  # fmt: skip


def _enqueue(conn: Connection, group: Group, announcement: dict[str, Any], now: str) -> None:
    if group.is_local_only:
        return  # nothing about a local-only group leaves this server
    enqueue(conn, group.id, announcement, Audience(followers_of=group.id), now)


@overload
def announce_moderation(
    target: Connection, group: Group, activity: dict[str, Any], now: str
) -> dict[str, Any]: ...


@overload
def announce_moderation(
    target: Context, group: Group, activity: dict[str, Any], now: str
) -> Coroutine[Any, Any, dict[str, Any]]: ...


def announce_moderation(
    target: Connection | Context, group: Group, activity: dict[str, Any], now: str
) -> dict[str, Any] | Coroutine[Any, Any, dict[str, Any]]:
    """The group announces a moderation activity to its followers; returns the Announce. With a
    connection (inside the caller's write, so that the action and its announcement commit
    together) it is queued at once and the caller wakes the outbox; with a Context, await it.
    `now` is a database timestamp (fedi.core.timeutil.to_db)."""
    announcement = _announcement(group, activity, now)
    if not isinstance(target, Context):
        _enqueue(target, group, announcement, now)
        return announcement
    return _announce_now(target, group, announcement, now)


async def _announce_now(
    context: Context, group: Group, announcement: dict[str, Any], now: str
) -> dict[str, Any]:
    await context.db.write(lambda conn: _enqueue(conn, group, announcement, now))
    context.wake.outbox.set()
    return announcement


async def delete_public_group_post(
    context: Context,
    group: Group,
    status_id: int,
    moderator_account_id: int,
    reason: str,
    *,
    delete: dict[str, Any] | None = None,
) -> None:
    """A moderator removes a post from a public group: the group's boost goes, a remote post's
    copy here goes too (a local member's post stays theirs, outside the group), the group
    announces the Delete (`delete` as a remote moderator sent it, else one by the moderator) and
    undoes its Announce for Mastodon, and the moderation log keeps who, what and why."""
    if group.is_private:
        raise GroupError("only a public group's posts are removed this way")
    async with context.db.read() as conn:
        post = await statuses.get_by_id(conn, status_id)
        role = await group_rows.moderator_role(conn, group.id, moderator_account_id)
        moderator = await accounts.get_by_id(conn, moderator_account_id)
        boost = await statuses.get_reblog(conn, group.id, status_id)
    if post is None or post.reblog_of_id is not None or post.group_id != group.id:
        raise GroupError("no such post in this group")
    if role is None or moderator is None:
        raise GroupError("only the group's moderators can remove its posts")
    reason = reason[:MAX_REASON]
    if delete is None:
        actor = moderator if moderator.is_local else group.account
        delete = removal(actor, f"{actor.uri}#removals/{new_id()}", group.account, post.uri, reason)
    outgoing = removal_announcements(group, post, boost, delete)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if boost is not None:
            statuses.delete_reblog(conn, boost.id)
        if post.is_local:
            group_posts.unmark(conn, post.id, group.id)
        else:
            statuses.delete_status(conn, post, now)
        group_rows.log_action(
            conn, group.id, moderator.id, "remove_post", now, target_account_id=post.account_id,
            detail=f"{post.uri} {reason}".strip(),
        )  # fmt: skip
        for activity, audience in outgoing:
            enqueue(conn, group.id, activity, audience, now)

    await context.db.write(write)
    log.info("group %s: %s removed %s", group.account.uri, moderator.uri, post.uri)
    context.wake.outbox.set()


async def remove_by_moderator(context: Context, delete: dict[str, Any], actor: Account) -> bool:
    """A Delete that names a local public group (audience, target, to or cc) and someone else's
    post in it: done when the actor moderates that group, refused (InvalidActivity) otherwise.
    False when it is no such removal (an author's own Delete, or no group of ours named)."""
    target = uri_of(delete.get("object"))
    if target is None:
        return False
    named = [*uris(delete.get("audience"), 4), *uris(delete.get("target"), 4)]
    named += [*addresses(delete, "to"), *addresses(delete, "cc")]
    group = await public_group_among(context, named)
    if group is None:
        return False
    post = await status_by_uri(context, target)
    if post is None or post.reblog_of_id is not None or post.account_id == actor.id:
        return False
    if post.group_id != group.id:
        raise InvalidActivity("the post is not in this group")
    async with context.db.read() as conn:
        role = await group_rows.moderator_role(conn, group.id, actor.id)
    if role is None:
        raise InvalidActivity("only the group's moderators can remove a post from it")
    reason = text(delete.get("summary"), MAX_REASON)
    await delete_public_group_post(context, group, post.id, actor.id, reason, delete=delete)
    return True
