"""Where a member stands with another account: follows both ways (accepted or requested),
blocks both ways, mute, new-post notifications and a block of the other's domain. The client
API's Relationship entity and the profile pages' buttons both read it here."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows, interactions, mutes, subscriptions


@dataclass(frozen=True)
class Relationship:
    following: bool
    requested: bool  # a follow waiting for the other side's approval
    showing_reblogs: bool
    followed_by: bool
    requested_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool
    notifying: bool
    domain_blocking: bool


async def relationship_of(context: Context, account_id: int, other: Account) -> Relationship:
    """How the local account `account_id` stands with `other`, read in one transaction."""
    async with context.db.read() as conn:
        out = await follows.get_follow(conn, account_id, other.id)
        back = await follows.get_follow(conn, other.id, account_id)
        blocking = await interactions.is_blocked(conn, account_id, other.id)
        blocked_by = await interactions.is_blocked(conn, other.id, account_id)
        notifying = await subscriptions.is_notifying(conn, account_id, other.id)
        muted = await mutes.active_mute(conn, account_id, other.id, to_db(utcnow()))
        domain_blocking = other.domain is not None and await mutes.is_domain_blocked(
            conn, account_id, other.domain
        )
    return Relationship(
        following=out is not None and out[2] == "accepted",
        requested=out is not None and out[2] == "pending",
        showing_reblogs=out is not None,
        followed_by=back is not None and back[2] == "accepted",
        requested_by=back is not None and back[2] == "pending",
        blocking=blocking,
        blocked_by=blocked_by,
        muting=muted is not None,
        muting_notifications=muted is not None and muted.hide_notifications,
        notifying=notifying,
        domain_blocking=domain_blocking,
    )
