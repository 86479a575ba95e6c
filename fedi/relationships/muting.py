"""Mutes and user domain blocks by local members. Both are private: nothing is federated, except
that a domain block ends follows with that domain both ways, as on Mastodon
(AfterBlockDomainFromAccountService): Undo{Follow} for ours, Reject{Follow} for theirs."""

from __future__ import annotations

import re
from datetime import timedelta

from fedi.accounts.members import MemberError
from fedi.context import Context
from fedi.core.models import Account, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, mutes
from fedi.db.connection import Connection
from fedi.relationships.relationships import remove_follower, unfollow

MAX_MUTE_SECONDS = 100 * 366 * 86400  # longer than that is forever anyway
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


async def mute(
    context: Context, user: User, target: Account, notifications: bool, duration: int
) -> None:
    """Mute an account, hiding its notifications too when `notifications`; `duration` seconds,
    0 for ever. Muting again updates the flag and the expiry."""
    if target.id == user.account.id:
        raise MemberError("you cannot mute yourself")
    now = utcnow()
    expires = to_db(now + timedelta(seconds=duration)) if duration > 0 else None
    await context.db.write(
        lambda conn: mutes.upsert_mute(
            conn, user.account.id, target.id, notifications, expires, to_db(now)
        )
    )


async def unmute(context: Context, user: User, target: Account) -> None:
    await context.db.write(lambda conn: mutes.delete_mute(conn, user.account.id, target.id))


def normalize_domain(context: Context, raw: str) -> str:
    """A domain as stored: lower-case, IDNA (punycode), an optional port kept; a URL or handle
    gives its host. Refuses an empty or invalid domain and our own."""
    text = raw.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0].rsplit("@", 1)[-1].strip(".")
    host, _, port = text.partition(":")
    if port and (not port.isdigit() or len(port) > 5):
        raise MemberError("the domain is not valid")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise MemberError("the domain is not valid") from None
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise MemberError("the domain is not valid")
    domain = f"{host}:{port}" if port else host
    if domain in (context.settings.domain.lower(), context.settings.host.lower()):
        raise MemberError("you cannot block your own server")
    return domain


async def block_domain(context: Context, user: User, raw: str) -> str:
    """Hide everything from a domain; its notifications go, and follows with it end both ways."""
    domain = normalize_domain(context, raw)
    me = user.account.id
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        mutes.add_domain_block(conn, me, domain, now)
        mutes.clear_notifications_from_domain(conn, me, domain)

    await context.db.write(write)
    async with context.db.read() as conn:
        ours, theirs = await mutes.follows_with_domain(conn, me, domain)
        followed = [await accounts.get_by_id(conn, i) for i in ours]
    for account in followed:
        if account is not None:
            await unfollow(context, user.account.username, account)
    for follower_id in theirs:
        await remove_follower(context, user.account.username, follower_id)
    return domain


async def unblock_domain(context: Context, user: User, raw: str) -> None:
    domain = normalize_domain(context, raw)
    me = user.account.id
    await context.db.write(lambda conn: mutes.remove_domain_block(conn, me, domain))
