"""Favourites and boosts by local members, federated as Like and Announce (and their Undo);
those of a local-only post stay here, and a boost of one is itself local-only."""

from __future__ import annotations

from fedi.accounts.members import get_member
from fedi.activitypub.notes import undo, wrap
from fedi.activitypub.vocab import PUBLIC
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, NewStatus, Status
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.core.validation import BASE
from fedi.db import accounts, interactions, statuses
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.statuses.posting import PostError


async def _target(context: Context, status_id: int) -> tuple[Status, Account]:
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
        author = await accounts.get_by_id(conn, status.account_id) if status else None
    if status is None or author is None or status.reblog_of_id is not None:
        raise PostError.of(BASE, "ERR_INVALID", "no such post")
    return status, author


async def favourite(context: Context, username: str, status_id: int) -> None:
    user = await get_member(context, username)
    status, author = await _target(context, status_id)
    like_id = f"{user.account.uri}#likes/{ids.new_id()}"
    now = to_db(utcnow())
    activity = wrap("Like", like_id, user.account, status.uri, [author.uri], [])

    def write(conn: Connection) -> None:
        if interactions.add_favourite(conn, user.account.id, status.id, like_id, now):
            interactions.notify(conn, [author.id], "favourite", user.account.id, status.id, now)
            if not status.is_local_only:
                enqueue(conn, user.account.id, activity, Audience.personal(author), now)

    await context.db.write(write)
    context.wake.outbox.set()


async def unfavourite(context: Context, username: str, status_id: int) -> None:
    user = await get_member(context, username)
    status, author = await _target(context, status_id)
    async with context.db.read() as conn:
        like_id = await interactions.favourite_uri(conn, user.account.id, status.id)
    if like_id is None:
        return
    like = wrap("Like", like_id, user.account, status.uri, [author.uri], [])
    cancel = undo(like, user.account)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        interactions.remove_favourite(conn, user.account.id, status.id)
        if not status.is_local_only:
            enqueue(conn, user.account.id, cancel, Audience.personal(author), now)

    await context.db.write(write)
    context.wake.outbox.set()


async def boost(context: Context, username: str, status_id: int) -> Status:
    """Announce a public or unlisted post to one's followers (and its author). Followers-only and
    direct posts cannot be boosted, here as on Mastodon (announceable?). Only members boost
    through here, so a local-only post may be boosted; the boost is local-only and not sent."""
    user = await get_member(context, username)
    status, author = await _target(context, status_id)
    if status.visibility not in ("public", "unlisted"):
        raise PostError.of(BASE, "ERR_INVALID", "only public and unlisted posts can be boosted")
    async with context.db.read() as conn:
        existing = await statuses.get_reblog(conn, user.account.id, status.id)
    if existing is not None:
        return existing
    reblog_id = ids.new_id()
    now = utcnow()
    uri = f"{context.urls.status(user.account.username, reblog_id)}/activity"
    new = NewStatus(
        id=reblog_id, uri=uri, url=status.url, account_id=user.account.id, visibility="public",
        content="", spoiler_text="", is_sensitive=False, language=None, is_local=True,
        created_at=to_db(now), reblog_of_id=status.id, is_local_only=status.is_local_only,
    )  # fmt: skip
    activity = wrap(
        "Announce", uri, user.account, status.uri, [PUBLIC],
        [author.uri, user.account.followers_uri or ""], to_ap(now),
    )  # fmt: skip
    audience = Audience(followers_of=user.account.id, inboxes=Audience.personal(author).inboxes)

    def write(conn: Connection) -> None:
        statuses.insert_status(conn, new)
        interactions.notify(conn, [author.id], "reblog", user.account.id, status.id, new.created_at)
        if not new.is_local_only:
            enqueue(conn, user.account.id, activity, audience, new.created_at)

    await context.db.write(write)
    context.wake.outbox.set()
    async with context.db.read() as conn:
        created = await statuses.get_by_id(conn, reblog_id)
    assert created is not None
    return created


async def unboost(context: Context, username: str, status_id: int) -> None:
    user = await get_member(context, username)
    status, author = await _target(context, status_id)
    async with context.db.read() as conn:
        reblog = await statuses.get_reblog(conn, user.account.id, status.id)
    if reblog is None:
        return
    announce = wrap("Announce", reblog.uri, user.account, status.uri, [PUBLIC], [author.uri])
    cancel = undo(announce, user.account)
    audience = Audience(followers_of=user.account.id, inboxes=Audience.personal(author).inboxes)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        statuses.delete_reblog(conn, reblog.id)
        if not (reblog.is_local_only or status.is_local_only):
            enqueue(conn, user.account.id, cancel, audience, now)

    await context.db.write(write)
    context.wake.outbox.set()
