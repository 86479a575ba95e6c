"""Subscriptions, as Mastodon's bell: a member who follows an account with notify=true gets a
`status` notification for each new post of it; members who boosted a post get an `update`
notification when it is edited. Posting and the inbox call in here once each."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from fedi.context import Context
from fedi.core.models import Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import interactions, subscriptions
from fedi.db.connection import Connection

# A post older than this when it arrives (a thread's parent fetched late, a re-sent Create) is
# not news; Mastodon's "realtime window" for fan-out is similar.
REALTIME_WINDOW = timedelta(hours=6)


async def set_subscription(context: Context, follower_id: int, followed_id: int, on: bool) -> None:
    await context.db.write(
        lambda conn: subscriptions.set_notify(conn, follower_id, followed_id, on)
    )


def is_news(status: Status) -> bool:
    """Mastodon's rule (FeedInsertWorker#notify?): not a boost, not a reply to someone else, and
    addressed to all followers (not a direct message)."""
    return (
        status.reblog_of_id is None
        and status.visibility != "direct"
        and status.in_reply_to_account_id in (None, status.account_id)
    )


async def notify_subscribers_of(
    context: Context, status: Status | None, subscribed: Collection[int] | None = None
) -> None:
    """After a post is published here or arrives in the inbox: tell the author's subscribers.
    `subscribed`: the authors known to have subscribers (read for a batch), if known."""
    if status is None or not is_news(status) or utcnow() - status.created_at > REALTIME_WINDOW:
        return
    if subscribed is not None and status.account_id not in subscribed:
        return
    if subscribed is None:
        async with context.db.read() as conn:
            if not await subscriptions.has_subscribers(conn, status.account_id):
                return  # most authors have no subscribers here: no write for them
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: subscriptions.notify_subscribers(conn, status.account_id, status.id, now)
    )


async def notify_boosters_of_edit(context: Context, status: Status) -> None:
    """After a post is edited (here or by an Update): tell the local members who boosted it."""
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        boosters = subscriptions.local_boosters(conn, status.id)
        interactions.notify(conn, boosters, "update", status.account_id, status.id, now)

    await context.db.write(write)
