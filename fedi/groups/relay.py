"""Public groups as their own server (FEP-1b12): a post that reaches a local public group is
checked (author not banned or suspended, group really addressed, public or unlisted, a reply only
within one of the group's threads), marked as the group's, boosted by the group here and
announced to its followers: Announce{Create} as received for servers that know groups, and for a
thread's first post also Announce{post} for Mastodon. A refused post gets a Reject{Create}. Its
author's later edits and deletions are announced the same way."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from fedi.activitypub.group_activities import announce, reject_create
from fedi.activitypub.notes import undo
from fedi.activitypub.parse import addresses, as_list, types_of, uri_of, uris
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account, Group, NewStatus, Status
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.db import account_lookups, accounts, group_posts, interactions, statuses
from fedi.db import groups as group_rows
from fedi.db.account_lookups import KnownRefs
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_posts import is_ours

log = logging.getLogger(__name__)
Outgoing = list[tuple[dict[str, Any], Audience]]


def addressed(document: dict[str, Any]) -> list[str]:
    """Whom a post or activity names: audience first, then to, cc and Mention tags. Being
    delivered to the group's inbox is not being addressed to it (guppe#17)."""
    found = [*uris(document.get("audience"), 4), *addresses(document, "to")]
    found += addresses(document, "cc")
    for tag in as_list(document.get("tag"))[:128]:
        if isinstance(tag, dict) and "Mention" in types_of(tag):
            href = uri_of(tag.get("href"))
            if href:
                found.append(href)
    return found


async def public_group_among(
    context: Context, named: Iterable[str], known: KnownRefs | None = None
) -> Group | None:
    """The first local public group among these ids (`known`: local accounts read already)."""
    local = list(dict.fromkeys(u for u in named if is_ours(context, u)))
    async with context.db.read() as conn:
        refs = await account_lookups.refs_by_uri(conn, local, known)
        for uri in local:
            account = refs.get(uri)
            if account is None or account.actor_type != "Group" or account.is_suspended:
                continue
            group = await group_rows.get_group(conn, account.id)
            if group is not None and not group.is_private:
                return group
    return None


async def public_group_of(context: Context, post: Status) -> Group | None:
    """The local public group a post belongs to, if any."""
    if post.group_id is None:
        return None
    async with context.db.read() as conn:
        group = await group_rows.get_group(conn, post.group_id)
    return group if group is not None and not group.is_private else None


async def refusal(context: Context, group: Group, post: Status, author: Account) -> str | None:
    """Why the group will not share this post, or None when it will."""
    async with context.db.read() as conn:
        banned = await group_rows.is_banned(conn, group.id, author.id)
        parent_id = post.in_reply_to_id
        parent = await statuses.get_by_id(conn, parent_id) if parent_id is not None else None
    if author.is_suspended:
        return "the author is suspended"
    if banned:
        return "the author is banned from the group"
    if post.visibility not in ("public", "unlisted"):
        return "a public group shares only public and unlisted posts"  # Lemmy verify_visibility
    if post.group_id not in (None, group.id):
        return "the post belongs to another group"
    if post.in_reply_to_uri is not None and (parent is None or parent.group_id != group.id):
        return "the post answers a thread that is not in this group"
    return None


def announce_ids(context: Context, group: Group, boost_id: int) -> tuple[str, str]:
    """The ids of the group's Announce of the post (also its boost's id here) and of the
    Announce of the Create."""
    shared = f"{context.urls.status(group.account.username, boost_id)}/activity"
    return shared, f"{shared}/create"


def activity_announce_id(group: Group) -> str:
    return f"{group.account.uri}/announces/{new_id()}"


async def relay_remote_post(
    context: Context,
    create: dict[str, Any],
    note: dict[str, Any],
    post: Status | None,
    author: Account,
    known: KnownRefs | None = None,
) -> None:
    """After a Create is stored: share the post if it is for a local public group, or tell its
    author why not."""
    if post is None:
        return
    group = await public_group_among(context, [*addressed(note), *addressed(create)], known)
    if group is None:
        return
    async with context.db.read() as conn:
        if await statuses.get_reblog(conn, group.id, post.id) is not None:
            return  # shared already
    received = _as_received(create, note)
    reason = await refusal(context, group, post, author)
    if reason is None:
        await _share(context, group, post, received)
        return
    log.info("group %s refuses %s from %s: %s", group.account.uri, post.uri, author.uri, reason)
    reject = reject_create(group.account, f"{group.account.uri}#rejects/{new_id()}", received)
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: enqueue(conn, group.id, reject, Audience.personal(author), now)
    )
    context.wake.outbox.set()


def _as_received(create: dict[str, Any], note: dict[str, Any]) -> dict[str, Any]:
    """The Create to pass on: as received, its post embedded (the one fetched, when it came by
    reference), without bto or bcc, which are never passed on (security.md V3)."""
    hidden = ("bto", "bcc")
    obj = create.get("object")
    shared = {k: v for k, v in create.items() if k not in hidden}
    shared["object"] = {k: v for k, v in (obj if isinstance(obj, dict) else note).items()
                        if k not in hidden}  # fmt: skip
    return shared


async def claim_local_post(context: Context, post: Status) -> Status:
    """A member's post that mentions a local public group belongs to that group (its audience)
    once the group's checks pass; one that mentions an open remote group names it as audience,
    for that group to check. Call before the post is serialised and sent."""
    async with context.db.read() as conn:
        mentions = (await statuses.details(conn, post.id)).mentions
        author = await accounts.get_by_id(conn, post.account_id)
    group = await public_group_among(context, [m.uri for m in mentions])
    if group is None:
        return await _name_remote_group(context, post, [m.account_id for m in mentions])
    if author is None:
        return post
    reason = await refusal(context, group, post, author)
    if reason is not None:
        log.info("group %s does not share %s: %s", group.account.uri, post.uri, reason)
        return post
    await context.db.write(lambda conn: group_posts.mark(conn, post.id, group.id))
    return replace(post, group_id=group.id)


async def _name_remote_group(context: Context, post: Status, mentioned: list[int]) -> Status:
    if post.visibility not in ("public", "unlisted") or post.in_reply_to_uri is not None:
        return post  # a reply belongs to its thread; a locked group is private, not for this
    async with context.db.read() as conn:
        found = [await accounts.get_by_id(conn, account_id) for account_id in mentioned]
    groups = [a for a in found if a and not a.is_local and a.actor_type == "Group"]
    group = next((a for a in groups if not a.is_locked), None)
    if group is None:
        return post
    await context.db.write(lambda conn: group_posts.mark(conn, post.id, group.id))
    return replace(post, group_id=group.id)


async def relay_local_post(context: Context, post: Status, create: dict[str, Any]) -> None:
    """After a member's post that belongs to a local public group is sent: the group shares it."""
    group = await public_group_of(context, post)
    if group is not None:
        await _share(context, group, post, create)


async def _share(context: Context, group: Group, post: Status, create: dict[str, Any]) -> None:
    boost_id = new_id()
    now = utcnow()
    stamp, published = to_db(now), to_ap(now)
    shared_id, create_announce_id = announce_ids(context, group, boost_id)
    followers = Audience(followers_of=group.id)
    announce_create = announce(group.account, create_announce_id, create, published)
    outgoing: Outgoing = [(announce_create, followers)]
    if post.in_reply_to_uri is None:
        # Lemmy's compatibility Announce: Mastodon boosts a post, not a Create; the author's
        # server hears of it too, as of any boost.
        to_author = Audience(followers_of=group.id, account_ids=(post.account_id,))
        outgoing.append((announce(group.account, shared_id, post.uri, published), to_author))
    boost = NewStatus(
        id=boost_id, uri=shared_id, url=post.url, account_id=group.id, visibility="public",
        content="", spoiler_text="", is_sensitive=False, language=None, is_local=True,
        created_at=stamp, reblog_of_id=post.id,
    )  # fmt: skip

    def write(conn: Connection) -> bool:
        if not group_posts.may_share_now(conn, group.id, post.id):
            return False  # never twice, never a post of another group
        group_posts.mark(conn, post.id, group.id)
        statuses.insert_status(conn, boost)
        interactions.notify(conn, [post.account_id], "reblog", group.id, post.id, stamp)
        for activity, audience in outgoing:
            enqueue(conn, group.id, activity, audience, stamp)
        return True

    if await context.db.write(write):
        log.info("group %s shares %s", group.account.uri, post.uri)
        context.wake.outbox.set()


def removal_announcements(
    group: Group, post: Status, boost: Status | None, delete: dict[str, Any]
) -> Outgoing:
    """What tells the group's followers a post left it: Announce{Delete} for servers that know
    groups, and Undo of the group's Announce of the post for Mastodon, which ignores a Delete by
    anyone but the author (delete.rb) but removes the boost (undo.rb)."""
    followers = Audience(followers_of=group.id, account_ids=(post.account_id,))
    outgoing: Outgoing = [(announce(group.account, activity_announce_id(group), delete), followers)]
    if boost is not None and post.in_reply_to_uri is None:
        shared = announce(group.account, boost.uri, post.uri)
        outgoing.append((undo(shared, group.account), followers))
    return outgoing


async def relay_post_update(context: Context, post: Status, update: dict[str, Any]) -> None:
    """The author edited a post of a local public group: the group announces the Update."""
    group = await public_group_of(context, post)
    if group is None:
        return
    activity = announce(group.account, activity_announce_id(group), update)
    audience = Audience(followers_of=group.id)
    now = to_db(utcnow())
    await context.db.write(lambda conn: enqueue(conn, group.id, activity, audience, now))
    context.wake.outbox.set()


async def relay_post_delete(context: Context, post: Status, delete: dict[str, Any]) -> None:
    """The author is deleting a post of a local public group: the group announces it (call
    before the post goes, while the group's boost is still here)."""
    group = await public_group_of(context, post)
    if group is None:
        return
    async with context.db.read() as conn:
        boost = await statuses.get_reblog(conn, group.id, post.id)
    outgoing = removal_announcements(group, post, boost, delete)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        for activity, audience in outgoing:
            enqueue(conn, group.id, activity, audience, now)

    await context.db.write(write)
    context.wake.outbox.set()
